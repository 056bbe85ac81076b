import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'graphile-worker';

/** graphile-worker's warnings and errors through Nest's logger (pino in the app); its chatter is dropped. */
export function quietGraphileLogger(): Logger {
  const nest = new NestLogger('JobQueue');
  return new Logger(() => (level, message) => {
    if (level === 'error') nest.error(message);
    else if (level === 'warning') nest.warn(message);
  });
}
