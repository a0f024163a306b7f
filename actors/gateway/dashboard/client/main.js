// The dashboard's entry point: the layout first (so nothing jumps), then the session, then every panel.
import { setupLayout } from "./layout.js";
import { byId } from "./dom.js";
import { onLinkChange } from "./channel.js";
import { onSession, setupSession } from "./session.js";
import { setupStatus } from "./status.js";
import { setupEquity } from "./equity.js";
import { setupOrders } from "./orders.js";
import { setupFills } from "./fills.js";
import { setupPositions } from "./positions.js";
import { setupMarket } from "./market.js";
import { loadStrategies, setupStrategies } from "./strategies.js";
import { setupRisk } from "./risk.js";
import { setupAlerts } from "./alerts.js";
import { setupLogs } from "./logs.js";
import { setupBacktests } from "./backtests.js";
import { setupControl } from "./control.js";

async function start() {
  setupLayout();
  setupControl();
  onLinkChange((n) => (byId("link").textContent = n > 0 ? "live" : "reconnecting…"));
  await setupSession();
  setupRisk();
  setupMarket();
  const channels = [setupStatus(), setupEquity(), setupOrders(), setupPositions(), setupAlerts()];
  void setupFills();
  void setupStrategies();
  void setupBacktests();
  const logs = setupLogs();
  if (logs) channels.push(logs);
  // A new session (login, logout) may change what the channels may read: they reconnect and re-snapshot.
  onSession(() => {
    for (const c of channels) c.reconnect();
    void loadStrategies();
  });
}

void start();
