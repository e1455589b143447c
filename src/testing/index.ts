/**
 * troupe's test kits, published as `troupe/testing`: a scripted OpenAI-compatible model server for
 * testing agents and coordinators through the real SDK and HTTP path.
 * @module
 */

export type {
  Script,
  ScriptedAnswer,
  ScriptedDisconnect,
  ScriptedHttpError,
  ScriptedMessage,
  ScriptedRawAnswer,
  ScriptedReply,
  ScriptedRequest,
  ScriptedRequestBody,
  ScriptedResponder,
  ScriptedStep,
  ScriptedStepBase,
  ScriptedToolCall,
  ScriptedUsage,
} from './script.js';
export type { ScriptedModel, ScriptedModelOptions } from './scripted-model.js';
export { scriptedModel } from './scripted-model.js';
