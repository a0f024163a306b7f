import { candleStoreContract } from "./candle_store_contract.ts";
import { openTestSqlite } from "../services.ts";

candleStoreContract("sqlite", openTestSqlite);
