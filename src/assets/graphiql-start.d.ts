/** Imported `with { type: 'file' }`: a path, embedded in the compiled binary by `bun build --compile`. */
declare const path: string
export default path
