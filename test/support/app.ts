import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Role } from '@disty/core';
import { IdentityService } from '@disty/identity';
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
  close(): Promise<void>;
}

let seq = 0;

/**
 * The production app (same modules, pipes, filters and guards) on the test database. `customize`
 * may replace a provider, e.g. the Clock, for tests that move time.
 */
export async function createTestApp(customize: (b: TestingModuleBuilder) => TestingModuleBuilder = (b) => b): Promise<TestApp> {
  const moduleRef = await customize(Test.createTestingModule({ imports: [AppModule] })).compile();
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
    close: () => app.close(),
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
