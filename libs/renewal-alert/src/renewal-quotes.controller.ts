import { Controller, Get, HttpCode, Param, Post, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiPdfResponse, ApiProblems, CurrentActor, ParseIdPipe, Roles, tenantScope } from '#disty/core';
import { RenewalQuoteView } from './dto/renewal-quote.response';
import { streamRenewalQuotePdf } from './renewal-quote-pdf';
import { RenewalQuoteService } from './renewal-quote.service';

const READERS = ['sales', 'reseller_admin', 'buyer', 'admin'] as const;

@ApiTags('renewal-alerts')
@ApiBearerAuth()
@Controller('renewal-quotes')
export class RenewalQuotesController {
  constructor(private readonly quotes: RenewalQuoteService) {}

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getRenewalQuote', summary: 'Read a renewal quote' })
  @ApiOkResponse({ type: RenewalQuoteView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<RenewalQuoteView> {
    return this.quotes.get(id, tenantScope(actor));
  }

  @Get(':id/pdf')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'downloadRenewalQuotePdf', summary: 'Download a renewal quote as a PDF' })
  @ApiPdfResponse('The quote as a PDF')
  async pdf(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const q = await this.quotes.get(id, tenantScope(actor));
    return new StreamableFile(streamRenewalQuotePdf(q), {
      type: 'application/pdf',
      disposition: `inline; filename="${q.number}.pdf"`,
    });
  }

  @Post(':id/accept')
  @Roles('reseller_admin', 'buyer')
  @HttpCode(200)
  @ApiOperation({ operationId: 'acceptRenewalQuote', summary: 'Accept a renewal quote' })
  @ApiOkResponse({ type: RenewalQuoteView })
  @ApiProblems(409, 422)
  accept(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<RenewalQuoteView> {
    return this.quotes.accept(id, tenantScope(actor), actor.id);
  }
}
