import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { redactUrl } from './redact-url.js';

export type Logger = PinoLogger;

/**
 * Keys whose values never reach a log line, wherever they appear in a logged object.
 * Secrets are also kept out of URLs before logging (see redactUrl).
 */
const SECRET_PATHS = [
  'password',
  'sourcePassword',
  'adminPassword',
  'token',
  'relayToken',
  'authorization',
  '*.password',
  '*.sourcePassword',
  '*.adminPassword',
  '*.token',
  '*.relayToken',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
}

/** One JSON line per event on stdout (or the given destination). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    // A song of a file list may be a signed URL as written: its ref is logged without the signature.
    serializers: { song: (song: unknown) => (typeof song === 'string' && /^https?:\/\//i.test(song) ? redactUrl(song) : song) },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
