import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '@disty/core';
import { CreateUserDto, UserResponse } from './dto/create-user.dto';
import { IdentityService } from './identity.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly identity: IdentityService) {}

  @Post()
  @Roles('admin')
  create(@Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.identity.createUser(dto);
  }

  @Get()
  @Roles('admin')
  async list(): Promise<{ items: UserResponse[] }> {
    return { items: await this.identity.listUsers(null) };
  }
}
