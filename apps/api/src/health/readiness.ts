import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

/**
 * What readiness needs beyond a reachable database (docs/operations.md §11): every migration this
 * build knows has been applied (checked until it holds once: migrations never un-apply), and the
 * instance is not shutting down (a proxy stops sending it requests while it drains).
 */
@Injectable()
export class Readiness implements BeforeApplicationShutdown {
  private migrated = false;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async migrations() {
    const check = this.indicators.check('migrations');
    if (!this.migrated) {
      try {
        this.migrated = !(await this.db.showMigrations());
      } catch (e) {
        return check.down({ message: (e as Error).message.split('\n')[0] });
      }
    }
    return this.migrated ? check.up() : check.down({ message: 'migrations pending' });
  }

  accepting() {
    const check = this.indicators.check('instance');
    return this.stopping ? check.down({ message: 'shutting down' }) : check.up();
  }
}
