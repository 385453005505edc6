/** PostgreSQL's text holds neither NUL nor a lone surrogate (it cannot be UTF-8): this is the string made storable. */
export const validText = (text: string) => text.toWellFormed().replaceAll('\0', '\uFFFD')

/** Whether PostgreSQL can take the string as it is; a name that is not can match no stored row. */
export const storable = (text: string) => validText(text) === text
