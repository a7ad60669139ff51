/** The agent's exit codes; installers, systemd units and tests rely on them. */

export const EXIT_OK = 0
/** Something failed at run time: server unreachable during register, registration refused, disk. */
export const EXIT_FAILURE = 1
/** The command line or the config file is wrong (or names a driver that cannot run on this host). */
export const EXIT_USAGE = 2
/** The server refused this agent's identity (deleted, bad credential, unsupported protocol). */
export const EXIT_REFUSED = 3
/** The agent uninstalled itself on the server's command; the same code, so the unit does not restart it. */
export const EXIT_UNINSTALLED = EXIT_REFUSED
/** The agent installed an update and asks its launcher to start it again (EX_TEMPFAIL). */
export const EXIT_RESTART = 75
