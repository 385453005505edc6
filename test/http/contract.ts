/**
 * The app's own OpenAPI document (/swagger/json) as a test oracle: which statuses an operation may answer and
 * what each body looks like. The validator knows only the JSON Schema keywords the document uses and throws on
 * any other, so a schema it does not understand can never pass silently.
 */

type Schema = Record<string, unknown>
type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }
export type Document = { paths: Record<string, Record<string, Operation>>; [key: string]: unknown }

export interface Answer {
  status: number
  headers: Headers
  text: string
}

const IGNORED = new Set(['description', 'examples', 'title', 'default'])
const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (value) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value)),
  email: (value) => /^[^@\s]+@[^@\s]+$/.test(value),
}

const FRAMING: Record<number, string> = { 411: 'Length Required', 413: 'Payload Too Large' }

const typeOf = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value

/** Every way `value` breaks `schema`, as `path: reason` lines; empty when it conforms. */
export function validate(schema: Schema, value: unknown, root: Document, path = '$'): string[] {
  const errors: string[] = []
  const fail = (reason: string) => errors.push(`${path}: ${reason}`)
  if (schema.nullable === true && value === null) return []
  for (const [keyword, expected] of Object.entries(schema)) {
    switch (keyword) {
      case '$ref': {
        const target = String(expected).replace(/^#\//, '').split('/').reduce<any>((node, key) => node?.[key], root)
        if (!target) throw new Error(`unresolvable $ref ${expected}`)
        errors.push(...validate(target, value, root, path))
        break
      }
      case 'type': {
        // OpenAPI 3.1: a list of types, e.g. ["string", "null"].
        const actual = typeOf(value)
        const ok = [expected].flat().some((type) => (type === 'number' ? actual === 'number' || actual === 'integer' : actual === type))
        if (!ok) fail(`expected ${expected}, got ${actual}`)
        break
      }
      case 'enum':
        if (!(expected as unknown[]).some((option) => Object.is(option, value))) fail(`not one of ${JSON.stringify(expected)}`)
        break
      case 'anyOf':
        if (!(expected as Schema[]).some((option) => validate(option, value, root, path).length === 0)) fail('matches no anyOf branch')
        break
      case 'minimum':
        if (typeof value === 'number' && value < (expected as number)) fail(`below ${expected}`)
        break
      case 'minLength':
      case 'maxLength': {
        if (typeof value !== 'string') break
        const length = [...value].length
        if (keyword === 'minLength' ? length < (expected as number) : length > (expected as number)) fail(`${keyword} ${expected}`)
        break
      }
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(expected as string, 'u').test(value)) fail(`does not match ${expected}`)
        break
      case 'format': {
        const check = FORMATS[expected as string]
        if (!check) throw new Error(`unknown format ${expected}`)
        if (typeof value === 'string' && !check(value)) fail(`not a ${expected}`)
        break
      }
      case 'required':
        if (typeOf(value) === 'object')
          for (const key of expected as string[]) if (!Object.hasOwn(value as object, key)) fail(`missing ${key}`)
        break
      case 'properties':
        if (typeOf(value) === 'object')
          for (const [key, sub] of Object.entries(expected as Record<string, Schema>))
            if (Object.hasOwn(value as object, key)) errors.push(...validate(sub, (value as any)[key], root, `${path}.${key}`))
        break
      case 'patternProperties':
        if (typeOf(value) === 'object')
          for (const [pattern, sub] of Object.entries(expected as Record<string, Schema>))
            for (const [key, item] of Object.entries(value as object))
              if (new RegExp(pattern, 'u').test(key)) errors.push(...validate(sub, item, root, `${path}.${key}`))
        break
      case 'additionalProperties':
        if (typeOf(value) === 'object' && typeof expected === 'object')
          for (const [key, item] of Object.entries(value as object))
            if (!Object.hasOwn((schema.properties as object) ?? {}, key)) errors.push(...validate(expected as Schema, item, root, `${path}.${key}`))
        if (expected !== false || typeOf(value) !== 'object') break
        for (const key of Object.keys(value as object)) {
          const named = Object.hasOwn((schema.properties as object) ?? {}, key)
          const patterned = Object.keys((schema.patternProperties as object) ?? {}).some((pattern) => new RegExp(pattern, 'u').test(key))
          if (!named && !patterned) fail(`unexpected property ${key}`)
        }
        break
      case 'items':
        if (Array.isArray(value)) value.forEach((item, index) => errors.push(...validate(expected as Schema, item, root, `${path}[${index}]`)))
        break
      case 'nullable':
        break
      default:
        if (!IGNORED.has(keyword)) throw new Error(`the validator does not know the keyword "${keyword}" (at ${path})`)
    }
  }
  return errors
}

/** The document's path template that `pathname` falls under, e.g. /api/users/7 -> /api/users/{id}. */
export function templateOf(doc: Document, pathname: string): string | undefined {
  return Object.keys(doc.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`).test(pathname),
  )
}

/**
 * Everything wrong with `answer` to `method pathname` according to the document: an undeclared status, a body
 * of the wrong media type or shape, a body where none is declared. A method the path does not serve must be a
 * 405 naming the ones it does; an unknown path a JSON 404; a preflight an empty 204.
 */
export function contractViolations(doc: Document, method: string, pathname: string, answer: Answer): string[] {
  const { status, headers, text } = answer
  const isJson = (headers.get('content-type') ?? '').startsWith('application/json')
  const json = () => {
    try {
      return { ok: true as const, value: JSON.parse(text) as unknown }
    } catch {
      return { ok: false as const }
    }
  }
  const errorShape = (expected: string) => {
    const parsed = json()
    if (!isJson || !parsed.ok) return [`${status} is not JSON`]
    const value = parsed.value as { error?: unknown }
    return value?.error === expected && Object.keys(value).every((key) => key === 'error' || key === 'message')
      ? []
      : [`${status} body ${text.slice(0, 200)} is not {"error": "${expected}"}`]
  }
  const template = templateOf(doc, pathname)
  const operation = template ? doc.paths[template]![method.toLowerCase()] : undefined
  // A body's framing is judged on arrival, before any route: outside the documented operations these two remain.
  if (!operation && FRAMING[status]) return errorShape(FRAMING[status])
  if (method === 'OPTIONS') return status === 204 && text === '' ? [] : [`preflight answered ${status} ${text.slice(0, 100)}`]
  if (!template) return status === 404 ? errorShape('Not Found') : [`unknown path ${pathname} answered ${status}`]
  if (!operation) {
    const allow = headers.get('allow') ?? ''
    const served = Object.keys(doc.paths[template]!).map((name) => name.toUpperCase())
    if (status !== 405) return [`${method} ${template} is not documented, yet answered ${status}`]
    const problems = errorShape('Method Not Allowed')
    if (allow.split(', ').sort().join() !== served.sort().join()) problems.push(`Allow "${allow}" is not ${served.join(', ')}`)
    return problems
  }
  const declared = operation.responses[String(status)]
  if (!declared) return [`${method} ${template} answered ${status}, which the document does not declare`]
  const content = declared.content?.['application/json']
  if (!content) return text === '' ? [] : [`${status} has a body where the document declares none: ${text.slice(0, 100)}`]
  const parsed = json()
  if (!isJson || !parsed.ok) return [`${status} is not JSON: ${headers.get('content-type')} ${text.slice(0, 100)}`]
  return validate(content.schema, parsed.value, doc).map((error) => `${method} ${template} ${status} ${error}`)
}
