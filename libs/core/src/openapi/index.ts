export * from './decorators';
export * from './complete-document';
