import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, notFound } from '#disty/core';
import { UserResponse } from './dto/create-user.dto';
import { IdentityService } from './identity.service';

/** Who am I: the signed-in user, so a client (the portal) can show only what its role may do. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(private readonly identity: IdentityService) {}

  @Get()
  @ApiOperation({ operationId: 'getMe', summary: 'Read the signed-in user' })
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentActor() actor: Actor): Promise<UserResponse> {
    const user = await this.identity.getUser(actor.id);
    if (!user) throw notFound(`User ${actor.id}`);
    return user;
  }
}
