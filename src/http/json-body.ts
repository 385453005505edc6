import { ValidationError } from '../services/errors'
import { MESSAGES } from '../services/validation'

// Flask's `request.is_json`: application/json or any application/*+json, whatever the case and parameters.
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

export const isJsonMediaType = (contentType: string | null) => JSON_MEDIA_TYPE.test(contentType ?? '')

/**
 * The tutorial's `request.get_json()` refused a body not labelled JSON; Elysia's `parse: 'json'` reads any
 * label as JSON. This `transform` hook restores the refusal, so a form or text/plain post (which a browser
 * sends from any site without a preflight) is "You must post JSON data." like broken JSON.
 */
export function requireJsonType({ request }: { request: Request }): void {
  if (!isJsonMediaType(request.headers.get('content-type'))) throw new ValidationError(MESSAGES.notJson)
}
