import { Body, Controller, Get, Headers, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiProblems, CurrentActor, Roles, validationError } from '#disty/core';
import { FxRateInputDto, FxRateListView, FxRateQueryDto, FxRateWriteView, PostFxRatesDto } from './fx-rate.dto';
import { FxRateService } from './fx-rate.service';

/** Exchange rates into the reporting currency (docs/accounting.md §10). */
@ApiTags('ledger')
@ApiBearerAuth()
@Controller('fx-rates')
export class FxRatesController {
  constructor(private readonly rates: FxRateService) {}

  /** One rate (`{ currency, date, rate }`) or a batch (`{ rates: [...] }`); a rate a posted line used cannot change (409). */
  @Post()
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'createFxRates', summary: 'Record one exchange rate or a batch' })
  @ApiCreatedResponse({ type: FxRateWriteView })
  @ApiProblems(409)
  post(@Body() dto: PostFxRatesDto, @CurrentActor() actor: Actor) {
    const single = dto.currency !== undefined || dto.date !== undefined || dto.rate !== undefined;
    if (single === !!dto.rates) {
      throw validationError('Give one rate (currency, date, rate) or a batch (rates), not both', [
        { field: 'rates', message: 'one rate or a batch' },
      ]);
    }
    let rates: FxRateInputDto[];
    if (dto.rates) rates = dto.rates;
    else {
      const missing = (['currency', 'date', 'rate'] as const).filter((f) => dto[f] === undefined);
      if (missing.length)
        throw validationError(
          'A rate needs currency, date and rate',
          missing.map((field) => ({ field, message: 'required' })),
        );
      rates = [{ currency: dto.currency!, date: dto.date!, rate: dto.rate! }];
    }
    return this.rates.write(rates, 'api', actor.id);
  }

  /** CSV body (`Content-Type: text/csv`): `currency,date,rate` per line, header optional; all or nothing. */
  @Post('import')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'importFxRates', summary: 'Import exchange rates from CSV' })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'currency,date,rate\nUSD,2026-11-02,1.5312\n' } })
  @ApiCreatedResponse({ type: FxRateWriteView })
  @ApiProblems(409)
  import(@Body() body: unknown, @Headers('content-type') contentType: string | undefined, @CurrentActor() actor: Actor) {
    if (!contentType?.toLowerCase().startsWith('text/csv')) {
      throw validationError('Send the rates as text/csv', [{ field: 'Content-Type', message: 'must be text/csv' }]);
    }
    return this.rates.importCsv(body, actor.id);
  }

  /** Rates by currency and date range; the rate for a date is the latest one on or before it. */
  @Get()
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'listFxRates', summary: 'List exchange rates by currency and date range' })
  @ApiOkResponse({ type: FxRateListView })
  list(@Query() q: FxRateQueryDto) {
    return this.rates.list(q);
  }
}
