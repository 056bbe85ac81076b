import { Injectable } from '@nestjs/common';

/** Supplies "now" and "today" (UTC calendar date). Tests and jobs pass explicit asOf dates instead. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  today(): string {
    return this.now().toISOString().slice(0, 10);
  }
}
