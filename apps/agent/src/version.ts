/** The agent's version, reported in its facts and by `wirewarp-agent --version`; kept equal to package.json by a test. */
export const VERSION = '0.1.0'
