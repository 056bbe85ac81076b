import { HttpException } from '@nestjs/common';
import type { Request } from 'express';
import { QueryFailedError } from 'typeorm';
import { ProblemDetailsFilter } from './problem.filter';

describe('ProblemDetailsFilter', () => {
  const filter = new ProblemDetailsFilter();
  const req = { method: 'POST', path: '/x' } as Request;

  it('answers a numeric overflow (SQLSTATE 22003) with 422 amount-out-of-range, never a 5xx', () => {
    const driverError = Object.assign(new Error('numeric field overflow'), { code: '22003' });
    const problem = filter.toProblem(new QueryFailedError('UPDATE t SET x = x + $1', ['1'], driverError), req);
    expect(problem).toMatchObject({ status: 422, type: 'https://disty.dev/problems/amount-out-of-range' });
    expect(JSON.stringify(problem)).not.toMatch(/UPDATE|numeric field/);
  });

  it('still answers other database errors with a plain 500', () => {
    const driverError = Object.assign(new Error('boom'), { code: 'XX000' });
    jest.spyOn((filter as unknown as { logger: { error: () => void } }).logger, 'error').mockImplementation(() => undefined);
    expect(filter.toProblem(new QueryFailedError('SELECT 1', [], driverError), req)).toMatchObject({
      status: 500,
    });
    expect(filter.toProblem(new HttpException('bad', 400), req)).toMatchObject({ status: 400 });
  });
});
