import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Creates the process logger: JSON lines by default, human-readable when stdout is a terminal. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  const isTerminal = (destination as NodeJS.WriteStream).isTTY === true;
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  const fd = destination === process.stderr ? 2 : 1;
  return isTerminal ? pino(options, pretty({ colorize: true, destination: fd, sync: true })) : pino(options, destination);
}
