import { Injectable, Logger } from '@nestjs/common';
import { environment } from '#disty/core';

export interface SentLink {
  email: string;
  purpose: 'reset' | 'set';
  url: string;
}

/**
 * Where one-time password links go. There is no mail service: outside production the link is
 * written to the log (and kept in memory, the last 100, for the tests); in production it is never
 * logged (docs/security.md §8).
 */
@Injectable()
export class PasswordLinkOutbox {
  private readonly logger = new Logger('PasswordLinks');
  readonly sent: SentLink[] = [];

  deliver(link: SentLink): void {
    if (environment().NODE_ENV === 'production') {
      this.logger.log(`a ${link.purpose === 'reset' ? 'password reset' : 'set-password'} link was issued (not logged in production)`);
      return;
    }
    this.logger.log(`${link.purpose === 'reset' ? 'password reset' : 'set-password'} link for ${link.email}: ${link.url}`);
    this.sent.push(link);
    if (this.sent.length > 100) this.sent.shift();
  }

  /** The newest link sent to `email` (development and tests only). */
  last(email: string): SentLink | undefined {
    return [...this.sent].reverse().find((l) => l.email === email.toLowerCase());
  }
}
