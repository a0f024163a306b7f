"""backtrader 1.9.78 on the first N bars of a generated CSV: the same SMA 10/30 reversal (target the whole equity
long or short at the next open), no costs. Prints one JSON line: bars, seconds, trades, maxRssMB."""
import json, resource, sys, time

t_start = time.perf_counter()
import backtrader as bt
import pandas as pd


class SmaCross(bt.Strategy):
    def __init__(self):
        self.cross = bt.indicators.CrossOver(bt.indicators.SMA(self.data.close, period=10),
                                             bt.indicators.SMA(self.data.close, period=30))

    def next(self):
        if self.cross > 0:
            self.order_target_percent(target=0.99)
        elif self.cross < 0:
            self.order_target_percent(target=-0.99)


path, limit = sys.argv[1], int(sys.argv[2])
frame = pd.read_csv(path, index_col=0, parse_dates=True, nrows=limit)
frame.columns = [c.lower() for c in frame.columns]
cerebro = bt.Cerebro(stdstats=False)
cerebro.adddata(bt.feeds.PandasData(dataname=frame))
cerebro.addstrategy(SmaCross)
cerebro.addanalyzer(bt.analyzers.TradeAnalyzer, _name="trades")
cerebro.broker.setcash(1_000_000)
# Sized at the signal close, filled at the next open: without this a reversal that gaps up is refused for margin.
cerebro.broker.set_checksubmit(False)
t0 = time.perf_counter()
strat = cerebro.run()[0]
engine = time.perf_counter() - t0
trades = strat.analyzers.trades.get_analysis()
print(json.dumps({
    "peer": "backtrader",
    "bars": len(frame),
    "engineSeconds": engine,
    "wholeSeconds": time.perf_counter() - t_start,
    "trades": int(trades.get("total", {}).get("total", 0)),
    "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
