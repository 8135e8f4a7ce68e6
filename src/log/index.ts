export { createLogger, silentLogger, type Logger, type LoggerOptions } from './logger.js';
// In a module of its own: code that only redacts URLs (the store's Redis connection, `relaycast song`) imports
// redact-url.js and does not load pino with it.
export { redactUrl } from './redact-url.js';
