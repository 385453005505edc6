import { Elysia, t } from 'elysia'
import type { Services } from '../services'
import { basicCredentials, authentication } from './auth'
import { Errors, TokenModel } from './models'

export function tokensController(services: Services) {
  return new Elysia({ prefix: '/api/tokens', tags: ['tokens'] })
    .use(authentication(services))
    .post(
      '',
      async ({ headers, set }) => {
        const { username, password } = basicCredentials(headers.authorization)
        const { token, expiresAt } = await services.tokens.login(username, password)
        set.headers['cache-control'] = 'no-store'
        return { token, expires_at: expiresAt.toISOString() }
      },
      {
        response: { 200: TokenModel, 401: Errors[401] },
        detail: { summary: 'Log in with Basic auth and get a new bearer token', security: [{ basic: [] }] },
      },
    )
    .delete(
      '',
      ({ token, status }) => {
        services.tokens.revoke(token)
        return status(204, undefined)
      },
      {
        bearer: true,
        response: { 204: t.Void({ description: 'The token is dead' }), 401: Errors[401] },
        detail: { summary: 'Revoke the token this request carries' },
      },
    )
}
