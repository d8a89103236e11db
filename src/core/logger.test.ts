import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logger', () => {
  it('writes JSON lines with level, time and message', () => {
    const out = capture();
    createLogger('info', out.stream).info({ reqId: 'r1' }, 'hello');
    expect(out.lines()[0]).toMatchObject({ level: 30, msg: 'hello', reqId: 'r1', service: 'joinery' });
  });

  it('redacts tokens, passwords, authorization headers and database URLs', () => {
    const out = capture();
    const secret = 'jny_supersecretvalue';
    createLogger('info', out.stream).info(
      {
        token: secret,
        req: { headers: { authorization: `Bearer ${secret}` } },
        user: { password: 'hunter2' },
        config: { databaseUrl: 'postgres://u:pw@h/db' },
      },
      'sensitive',
    );
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('pw@h');
    expect(text).toContain('[redacted]');
  });

  it('drops lines below the configured level', () => {
    const out = capture();
    const log = createLogger('warn', out.stream);
    log.info('quiet');
    log.warn('loud');
    expect(out.lines().map((l) => l.msg)).toEqual(['loud']);
  });
});
