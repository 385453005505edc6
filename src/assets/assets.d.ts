/** A stylesheet imported `with { type: 'file' }`: a path, embedded in the compiled binary by `bun build --compile`. */
declare module '*.css' {
  const path: string
  export default path
}
