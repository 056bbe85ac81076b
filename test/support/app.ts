import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock, Role } from '#disty/core';
import { IdentityService } from '#disty/identity';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp } from '../../apps/api/src/setup';

export const ADMIN_TOKEN = 'test-bootstrap-admin-token';

export interface TestApp {
  app: NestExpressApplication;
  http: () => ReturnType<typeof request>;
  db: DataSource;
  get<T>(type: new (...args: never[]) => T): T;
  /** A user of `role` (of `resellerId` for reseller roles) and its bearer header value. */
  user(role: Role, resellerId?: string | null): Promise<{ id: string; token: string; auth: string }>;
  /** The app's Clock: real time unless a test sets "today" (`t.clock.set('2026-01-15')`, `t.clock.reset()`). */
  clock: TestClock;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** A Clock whose "today" a test may set; the time of day keeps running. */
export class TestClock extends Clock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** From now on, today is `date` (YYYY-MM-DD). */
  set(date: string): void {
    const real = Date.now();
    this.offsetMs = Date.parse(`${date}T00:00:00Z`) - (real - (real % DAY_MS));
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

let seq = 0;

/** The production app (same modules, pipes, filters and guards) on the test database. */
export async function createTestApp(): Promise<TestApp> {
  const clock = new TestClock();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  configureApp(app);
  await app.init();
  const server = app.getHttpServer();
  const identity = app.get(IdentityService);
  return {
    app,
    http: () => request(server),
    db: app.get(DataSource),
    get: (type) => app.get(type),
    user: async (role, resellerId = null) => {
      const u = await identity.createUser({
        email: `${role}.${Date.now().toString(36)}.${process.pid}.${++seq}@test.example`,
        role,
        resellerId,
      });
      return { id: u.id, token: u.token!, auth: `Bearer ${u.token}` };
    },
    clock,
    close: () => app.close(),
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
