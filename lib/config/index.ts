// The portal's settings: one schema over every environment variable it reads
// (settings.ts). Read typed values with settings(); servers call
// serverSettings() at start and refuse to run on an error.
export { DATABASE_TLS_MODES, logLevel, parseSettings, serverSettings, SETTING_NAMES, settings, SettingsError, type Env, type Settings } from "./settings";
