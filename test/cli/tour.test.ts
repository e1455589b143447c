import { describe, expect, it } from 'vitest';
import { runTour } from '../../src/cli/commands/tour.js';
import { createProgram } from '../../src/cli/main.js';

describe('troupe tour', () => {
  it('runs the showcase end to end and reports each step', async () => {
    const out: string[] = [];
    await runTour((text) => out.push(text));
    const text = out.join('\n');
    expect(text).toContain('{"type":"result","words":5}');
    expect(text).toMatch(/gather statuses\s+ok, ok, ok/);
    expect(text).toMatch(/w1 restarted, same address\s+troupe:\/\/demo\/app\/w1/);
    expect(text).toMatch(/restarts seen in inspection\s+1/);
    expect(text).toMatch(/dead letters by reason\s+\{"mailbox-full":16/);
    expect(text).toMatch(/sum of 1\.\.1000 streamed\s+500500/);
    expect(text).toContain('shut down');
  });
});

describe('createProgram', () => {
  it('offers the demo command and a version', () => {
    const program = createProgram();
    expect(program.commands.map((c) => c.name())).toContain('demo');
    expect(program.version()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
