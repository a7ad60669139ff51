/** The server's version, reported by /api/health and `wirewarp --version`. */
export const VERSION = '0.1.0'
