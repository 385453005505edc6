import type { Plugin } from 'graphql-yoga'

/**
 * graphql-js quotes the offending value in its coercion messages: `Variable "$input" got invalid value
 * { username: "ann", password: "…", admin: true }; Field "admin" is not defined…`, or `String cannot represent a
 * non string value: 123456`. A password sent beside an unknown field, or with the wrong type, would come
 * straight back. These rewrites keep where the value was and why it was refused, never the value.
 */
const VARIABLE = /^Variable "\$(\w+)" got invalid value /
// The path graphql-js adds before the reason; field names and list indexes only.
const AT = / at "(\w[\w.[\]]*)"; /
// Reasons that name only schema types and fields, never a value. A client's own key in "not defined by type" is
// kept only when it is a plain name.
const REASON =
  /; (Field "\w+" is not defined by type "\w+"\.|Field "\w+" of required type "[\w![\]]+" was not provided\.|Expected type "\w+" to be an object\.|Expected non-nullable type "[\w![\]]+" not to be null\.)(?: Did you mean [^?]*\?)?$/
const SCALAR_VALUE = /^((?:String|Int|Float|Boolean|ID) cannot represent[^:]*): [\s\S]*$/
const SCALAR_REASON = /; (String|Int|Float|Boolean|ID) cannot represent/
const LITERAL = /^(Expected value of type "[^"]+"), found [\s\S]*$/

export function redactValues(message: string): string {
  const variable = VARIABLE.exec(message)
  if (variable) {
    const at = AT.exec(message)?.[1]
    const scalar = SCALAR_REASON.exec(message)?.[1]
    const reason = REASON.exec(message)?.[1] ?? (scalar ? `expected ${scalar}.` : undefined)
    return `Variable "$${variable[1]}" got invalid value${at ? ` at "${at}"` : ''}${reason ? `; ${reason}` : '.'}`
  }
  return message.replace(SCALAR_VALUE, '$1.').replace(LITERAL, '$1.')
}

export function redactAll(errors: readonly { message: string }[] | undefined): void {
  // Rewritten in place: the validation cache keeps these same objects, and rewriting twice changes nothing.
  for (const error of errors ?? []) error.message = redactValues(error.message)
}

/** Redacts values from validation (document literals) and execution (variables) errors alike. */
export function useRedactedValues(): Plugin {
  return {
    onValidate: () => ({ result }) => redactAll(result),
    onExecute: () => ({
      onExecuteDone: ({ result }) => {
        if ('errors' in result) redactAll(result.errors)
      },
    }),
  }
}
