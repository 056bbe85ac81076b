import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Roles } from '#disty/core';
import { CreateUserDto, UserListView, UserResponse } from './dto/create-user.dto';
import { IdentityService } from './identity.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly identity: IdentityService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ operationId: 'createUser', summary: 'Create a user and return its token once' })
  @ApiCreatedResponse({ type: UserResponse, description: 'The user, with its API token (shown only here)' })
  @ApiProblems(404, 409)
  create(@Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.identity.createUser(dto);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ operationId: 'listUsers', summary: 'List the distributor’s users' })
  @ApiOkResponse({ type: UserListView })
  async list(): Promise<UserListView> {
    return { items: await this.identity.listUsers(null) };
  }
}
