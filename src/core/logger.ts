import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs on stdout. Secrets are redacted by path so a careless `log.info({ req })` cannot leak a
 * bearer token, a password or a database URL with credentials.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'joinery' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'req.headers.authorization',
          'token',
          '*.token',
          'password',
          '*.password',
          'secret',
          '*.secret',
          'databaseUrl',
          '*.databaseUrl',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
