import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommitmentPackService } from './commitment-pack.service';
import { CommitmentPacksView } from './dto/commitment-pack.dto';

/** The commitment rule packs products follow (docs/commitments.md). Any signed-in user may read them. */
@ApiTags('catalog')
@ApiBearerAuth()
@Controller('catalog/commitment-packs')
export class CommitmentPacksController {
  constructor(private readonly packs: CommitmentPackService) {}

  @Get()
  @ApiOperation({
    operationId: 'listCommitmentPacks',
    summary: 'List the commitment rule packs products follow',
  })
  @ApiOkResponse({ type: CommitmentPacksView })
  list(): Promise<CommitmentPacksView> {
    return this.packs.commitmentPacks();
  }
}
