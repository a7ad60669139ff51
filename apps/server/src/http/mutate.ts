/**
 * Runs a domain change (domain/change.ts) on behalf of a request: its actor, the server's
 * database and hub. Routes call this and nothing else to change the model.
 */
import type { FastifyRequest } from 'fastify'
import { runChange, type Tx } from '../domain/change.ts'
import { actorOf } from './authenticate.ts'
import type { AppContext } from './context.ts'

export async function change<T>(ctx: AppContext, request: FastifyRequest, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (await runChange(ctx, actorOf(request), fn)).value
}
