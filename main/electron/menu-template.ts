import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction, MenuEntry } from './tray-menu.js';

/** Turns the menu data into Electron's template, with every click routed to `onAction`. */
export function toMenuTemplate(
  entries: MenuEntry[],
  onAction: (action: MenuAction) => void,
): MenuItemConstructorOptions[] {
  return entries.map((entry): MenuItemConstructorOptions => {
    switch (entry.type) {
      case 'separator':
        return { type: 'separator' };
      case 'checkbox':
        return {
          type: 'checkbox',
          label: entry.label,
          checked: entry.checked,
          click: () => onAction(entry.action),
        };
      case 'normal': {
        const { action, submenu } = entry;
        return {
          label: entry.label,
          enabled: entry.enabled,
          ...(action ? { click: () => onAction(action) } : {}),
          ...(submenu ? { submenu: toMenuTemplate(submenu, onAction) } : {}),
        };
      }
    }
  });
}
