import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Actor, environment, preparedStatementsEnabled } from '#disty/core';

/** The channel the users trigger notifies with the old token hash (migration 1764000400000). */
export const TOKEN_REVOKED_CHANNEL = 'disty_token_revoked';
const MAX_ENTRIES = 50_000;
const RECONNECT_MS = 1_000;

/**
 * Verified tokens kept in memory for TOKEN_CACHE_SECONDS (docs/performance.md, "Token lookup"), so
 * an authenticated request costs no query. Revocation stays immediate: a trigger on users notifies
 * the old token hash at commit, and every instance's listener (a connection of its own) drops it.
 * The cache answers only while that listener is connected; a notification that arrives while a
 * lookup is in flight keeps that lookup's answer out of the cache (it may predate the change).
 */
@Injectable()
export class TokenCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TokenCache.name);
  private readonly entries = new Map<string, { actor: Actor; until: number }>();
  /**
   * Off behind a transaction pooler (DB_PREPARED_STATEMENTS=off, docs/operations.md §10): a LISTEN
   * does not survive one, so revocations would not arrive.
   */
  private readonly ttlMs = preparedStatementsEnabled() ? environment().TOKEN_CACHE_SECONDS * 1000 : 0;
  private listener: Client | null = null;
  private listening = false;
  private stopped = false;
  /** Bumped by every notification and listener loss: a lookup begun under an older epoch is not cached. */
  private epoch = 0;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Start-up does not wait for the listener: until it listens, every request looks its token up. */
  onModuleInit(): void {
    if (this.ttlMs > 0) void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.listening = false;
    this.drop();
    await this.listener?.end().catch(() => undefined);
  }

  /** True while the listener is connected, i.e. while the cache answers. */
  get ready(): boolean {
    return this.listening;
  }

  /** The cached actor of a token hash, while the listener is up and the entry is fresh. */
  get(hash: string): Actor | undefined {
    if (!this.listening) return undefined;
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until <= Date.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.actor;
  }

  /** The epoch to pass to `set` with a lookup's answer: read it before the lookup starts. */
  begin(): number {
    return this.epoch;
  }

  set(hash: string, actor: Actor, startedAt: number): void {
    if (!this.listening || startedAt !== this.epoch) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(hash, { actor, until: Date.now() + this.ttlMs });
  }

  /**
   * Drops tokens this instance has just revoked, at once, without waiting for the notification that
   * tells every instance (its own included) a moment later (docs/security.md §13).
   */
  revoked(hashes: string[]): void {
    for (const hash of hashes) this.drop(hash);
  }

  private drop(hash?: string): void {
    this.epoch++;
    if (hash) this.entries.delete(hash);
    else this.entries.clear();
  }

  private async listen(): Promise<void> {
    const url = (this.db.options as { url?: string }).url;
    if (!url || this.stopped) return;
    const client = new Client({ connectionString: url, application_name: 'disty-token-cache' });
    const lost = (why: unknown) => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = null;
      this.drop();
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.logger.warn(`token cache listener lost (${String(why)}); tokens are looked up per request until it reconnects`);
        setTimeout(() => void this.listen(), RECONNECT_MS).unref();
      }
    };
    client.on('notification', (n) => n.channel === TOKEN_REVOKED_CHANNEL && this.drop(n.payload || undefined));
    client.on('error', lost);
    client.on('end', () => lost('connection ended'));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
      if (this.stopped) await client.end().catch(() => undefined);
      else if (this.listener === client) this.listening = true;
    } catch (e) {
      lost(e);
    }
  }
}
