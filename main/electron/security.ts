import type { BrowserWindow, Session, WebContents } from 'electron';
import { dialog, shell } from 'electron';
import { CSP } from '#main/transport/browser-server';

/** True for the app's own renderer pages (loaded from the build folder). */
export function isAppUrl(url: string, rendererIndexUrl: string): boolean {
  try {
    const u = new URL(url);
    const base = new URL(rendererIndexUrl);
    return u.protocol === 'file:' && u.pathname.startsWith(base.pathname.replace(/index\.html$/, ''));
  } catch {
    return false;
  }
}

/** Applies the session-wide rules: a strict CSP on every response, every permission denied. */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Denies navigation and new windows; offers external http(s) links to the system browser after asking. */
export function hardenContents(contents: WebContents, window: BrowserWindow, rendererIndexUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, rendererIndexUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) {
      void dialog
        .showMessageBox(window, {
          type: 'question',
          buttons: ['Open in browser', 'Cancel'],
          defaultId: 1,
          cancelId: 1,
          message: 'Open this link in your web browser?',
          detail: url,
        })
        .then(({ response }) => {
          if (response === 0) void shell.openExternal(url);
        });
    }
    return { action: 'deny' };
  });
}
