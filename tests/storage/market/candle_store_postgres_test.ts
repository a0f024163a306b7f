import { candleStoreContract } from "./candle_store_contract.ts";
import { openTestPostgres, PG_URL } from "../services.ts";

candleStoreContract("postgres", openTestPostgres, !PG_URL);
