import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiProblems, CurrentActor, ParseIdPipe, Roles } from '#disty/core';
import { CreateUserDto, UpdateUserDto, UserListView, UserResponse } from './dto/create-user.dto';
import { IdentityService } from './identity.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly identity: IdentityService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({
    operationId: 'createUser',
    summary: 'Create a user; returns its token and a set-password link once',
  })
  @ApiCreatedResponse({
    type: UserResponse,
    description: 'The user, with its API token and set-password link (shown only here)',
  })
  @ApiProblems(404, 409)
  create(@Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.identity.createUser(dto, undefined, { link: true });
  }

  @Get()
  @Roles('admin')
  @ApiOperation({
    operationId: 'listUsers',
    summary: 'List every user (staff and resellers’) with its state',
  })
  @ApiOkResponse({ type: UserListView })
  async list(): Promise<UserListView> {
    return { items: await this.identity.listUsers(null) };
  }

  /** A reseller admin changes its own reseller's users; another tenant's user is a 404. */
  @Patch(':id')
  @Roles('admin', 'reseller_admin')
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Change a user’s role, or deactivate or reactivate it',
  })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(422)
  update(@Param('id', ParseIdPipe) id: string, @Body() dto: UpdateUserDto, @CurrentActor() actor: Actor): Promise<UserResponse> {
    return this.identity.updateUser(actor, id, dto);
  }
}
