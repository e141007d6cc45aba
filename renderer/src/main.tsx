import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.js';
import { forgetTokenInAddressBar, pickBridge } from './bridge/window-bridge.js';
import './styles/tokens.css';
import './styles/base.css';

forgetTokenInAddressBar(window);

const root = document.getElementById('root');
if (!root) {
  throw new Error('index.html has no #root element to render the window into.');
}
const bridge = pickBridge(window);
createRoot(root).render(
  <StrictMode>
    <App bridge={bridge} />
  </StrictMode>,
);
