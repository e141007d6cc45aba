/**
 * The app's identity on Windows: `appId` of electron-builder.yml, which the nsis installer gives
 * its Start-menu shortcut as AppUserModelID. Windows shows a toast only for an app whose
 * AppUserModelID matches a shortcut's, and under that shortcut's name; `app.setAppUserModelId`
 * must therefore be given exactly this value (a test reads the yml to keep the two equal).
 * https://electronjs.org/docs/tutorial/notifications#windows
 */
export const APP_USER_MODEL_ID = 'dev.pg-tunnel.app';
