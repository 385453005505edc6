import { Elysia, t } from 'elysia'
import type { Services } from '../services'
import { basicCredentials, authentication } from './auth'
import type { clientAddresses } from './client-address'
import { models } from './models'

export function tokensController(services: Services, addresses: ReturnType<typeof clientAddresses>) {
  return new Elysia({ prefix: '/api/tokens', tags: ['tokens'] })
    .use(models)
    .use(authentication(services))
    .use(addresses)
    .post(
      '',
      async ({ headers, set, clientAddress }) => {
        const { token, expiresAt } = await services.tokens.login(basicCredentials(headers.authorization), clientAddress)
        set.headers['cache-control'] = 'no-store'
        return { token, expires_at: expiresAt.toISOString() }
      },
      {
        clientAddress: true,
        response: { 200: 'Token', 401: 'Unauthorized', 429: 'TooManyRequests', 503: 'ServiceUnavailable' },
        detail: {
          summary: 'Log in with Basic auth and get a new bearer token',
          description:
            'Failed logins are counted per username and per client address; past the limit every login, right or wrong, is 429 until the window frees a slot (Retry-After).',
          security: [{ basic: [] }],
        },
      },
    )
    .delete(
      '',
      async ({ token, status }) => {
        await services.tokens.revoke(token)
        return status(204, undefined)
      },
      {
        bearer: true,
        response: { 204: t.Void({ description: 'The token is dead' }), 401: 'Unauthorized' },
        detail: { summary: 'Revoke the token this request carries', description: 'The token is dead at once; other sessions stay.' },
      },
    )
}
