import type { Plugin } from 'graphql-yoga'

const NOT_ACCEPTABLE = JSON.stringify({
  errors: [
    {
      message:
        'The Accept header allows no media type /graphql answers in: application/graphql-response+json, application/json, text/event-stream or multipart/mixed, in UTF-8.',
      extensions: { code: 'NOT_ACCEPTABLE' },
    },
  ],
})

/**
 * What every /graphql answer gets on its way out, whichever plugin made it. Yoga's 406 has an empty body: it
 * becomes JSON like every other refusal. Any POST may carry a token (createToken can sit under any alias,
 * fragment or batch entry, and come back as JSON, an event stream or multipart), so rather than inspect
 * answers, none of them is stored; this overrides the `no-cache` of yoga's event streams. A GET answers with
 * the viewer's own data (`me { email }`), which no shared cache may keep either.
 */
export function useResponsePolicy(): Plugin {
  return {
    onResponse({ response, setResponse }) {
      const answer =
        response.status === 406
          ? new Response(NOT_ACCEPTABLE, { status: 406, headers: { 'content-type': 'application/json; charset=utf-8' } })
          : response
      answer.headers.set('cache-control', 'no-store')
      if (answer !== response) setResponse(answer)
    },
  }
}
