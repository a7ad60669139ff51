export * from './api.ts'
export * from './common.ts'
export * from './net.ts'
