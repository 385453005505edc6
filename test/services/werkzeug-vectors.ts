/** Known-answer werkzeug hashes, for the unit tests and the import fixtures. */

// The tutorial's own generate_password_hash('123') (werkzeug 2).
export const TUTORIAL_HASH_OF_123 =
  'pbkdf2:sha256:260000$RBvmqvkVP61YXGy0$52d3ea1ae76f51d284ba66d2665c8bcfdd069b47cdff7e3211e46d5d98a9d01a'
// werkzeug 3's default method for '654321', made with Python's hashlib.scrypt exactly as werkzeug calls it.
export const SCRYPT_HASH_OF_654321 =
  'scrypt:32768:8:1$Zq3xV8pLm2NcT7wR$35ac1e1881a7f705e6fbb453717e059d23e246089ceed3c08fe0e1a21753fc5924cb38f68d2909126bda8772f234caa7bbd72703ebe0c21861dd1bb9d8ba3759'
