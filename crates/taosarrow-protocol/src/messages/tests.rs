use super::*;
use crate::{Code, ProtocolError};

#[test]
fn parses_observed_conn_request_with_big_req_id() {
    let text = br#"{"action":"conn","args":{"req_id":15229797142470328321,"user":"root","password":"taosdata","db":"","connector":"python-ws-v0.7.0-315f180"}}"#;
    let Request::Conn(c) = Request::parse(text).unwrap() else {
        panic!("not conn")
    };
    assert_eq!(c.req_id, 15229797142470328321);
    assert_eq!(c.user, "root");
    assert_eq!(c.password, "taosdata");
    assert_eq!(c.database(), None);
    assert_eq!(c.connector.as_deref(), Some("python-ws-v0.7.0-315f180"));

    let with_db = br#"{"action":"conn","args":{"req_id":2917044823371612161,"user":"root","password":"taosdata","db":"mydb","tz":"Asia/Shanghai","connector":"x","unknown_field":1}}"#;
    let Request::Conn(c) = Request::parse(with_db).unwrap() else {
        panic!("not conn")
    };
    assert_eq!(c.database(), Some("mydb"));
    assert_eq!(c.tz.as_deref(), Some("Asia/Shanghai"));
}

#[test]
fn version_with_and_without_args() {
    assert_eq!(
        Request::parse(br#"{"action":"version"}"#).unwrap(),
        Request::Version(ReqIdArgs { req_id: 0 })
    );
    assert_eq!(
        Request::parse(br#"{"action":"version","args":null}"#)
            .unwrap()
            .req_id(),
        0
    );
    assert_eq!(
        Request::parse(br#"{"action":"version","args":{"req_id":9}}"#)
            .unwrap()
            .req_id(),
        9
    );
    assert_eq!(
        Request::Version(ReqIdArgs::default()).to_json(),
        r#"{"action":"version"}"#
    );
}

#[test]
fn every_request_round_trips() {
    let reqs = vec![
        Request::Version(ReqIdArgs { req_id: 3 }),
        Request::Conn(Box::new(ConnRequest {
            req_id: u64::MAX,
            user: "u".into(),
            password: "p".into(),
            db: Some("d".into()),
            ..Default::default()
        })),
        Request::Query(QueryRequest {
            req_id: 1 << 60,
            sql: "select \"x\" <> 1".into(),
        }),
        Request::Fetch(ResultRequest { req_id: 1, id: 2 }),
        Request::FetchBlock(ResultRequest { req_id: 1, id: 2 }),
        Request::FreeResult(ResultRequest { req_id: 0, id: 2 }),
        Request::NumFields(NumFieldsRequest {
            req_id: 4,
            result_id: 5,
        }),
        Request::GetCurrentDb(ReqIdArgs { req_id: 6 }),
        Request::GetServerInfo(ReqIdArgs { req_id: 7 }),
        Request::OptionsConnection(OptionsConnectionRequest {
            req_id: 8,
            options: vec![
                ConnOption {
                    option: 1,
                    value: Some("UTC".into()),
                },
                ConnOption {
                    option: -1,
                    value: None,
                },
            ],
        }),
        Request::CheckServerStatus(CheckServerStatusRequest {
            req_id: 9,
            fqdn: None,
            port: 0,
        }),
        Request::GetConnectionInfo(ConnectionInfoRequest {
            req_id: 10,
            info: 0,
        }),
    ];
    for r in reqs {
        let text = r.to_json();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["action"], r.action());
        assert_eq!(Request::parse(text.as_bytes()).unwrap(), r, "{text}");
    }
    let nf = Request::NumFields(NumFieldsRequest {
        req_id: 4,
        result_id: 5,
    })
    .to_json();
    assert!(nf.contains(r#""result_id":5"#), "{nf}");
}

#[test]
fn parse_errors_have_adapter_texts() {
    let e = Request::parse(b"{not json").unwrap_err();
    assert!(matches!(e, ProtocolError::Unmarshal(_)));
    assert_eq!(e.to_string(), "unmarshal request error");
    assert_eq!(
        Request::parse(br#"{"args":{}}"#).unwrap_err().to_string(),
        "request no action"
    );
    assert_eq!(
        Request::parse(br#"{"action":"nope"}"#)
            .unwrap_err()
            .to_string(),
        "unknown action nope"
    );
    let e = Request::parse(br#"{"action":"query","args":{"req_id":77,"sql":5}}"#).unwrap_err();
    assert_eq!(e.to_string(), "unmarshal query request error");
    assert!(matches!(e, ProtocolError::BadArgs { req_id: 77, .. }));
    assert!(matches!(
        Request::parse(br#"{"action":"fetch","args":[1]}"#),
        Err(ProtocolError::BadArgs { req_id: 0, .. })
    ));
    assert!(matches!(
        Request::parse(b"[]"),
        Err(ProtocolError::Unmarshal(_))
    ));
}

#[test]
fn query_response_shapes_match_spec() {
    let update = br#"{"code":0,"message":"","action":"query","req_id":12,"timing":4369543,"id":0,"is_update":true,"affected_rows":2,"fields_count":0,"fields_names":null,"fields_types":null,"fields_lengths":null,"precision":0,"fields_precisions":null,"fields_scales":null}"#;
    let r: QueryResponse = from_json("query", update).unwrap();
    assert!(r.is_update && r.affected_rows == 2 && r.columns.fields_names.is_none());
    let again: serde_json::Value = serde_json::from_str(&to_json(&r)).unwrap();
    assert_eq!(
        again,
        serde_json::from_slice::<serde_json::Value>(update).unwrap()
    );

    let query = br#"{"code":0,"message":"","action":"query","req_id":13,"timing":1534210,"id":1,"is_update":false,"affected_rows":0,"fields_count":3,"fields_names":["ts","v","s"],"fields_types":[9,4,8],"fields_lengths":[8,4,10],"precision":0,"fields_precisions":[0,0,0],"fields_scales":[0,0,0]}"#;
    let r: QueryResponse = from_json("query", query).unwrap();
    assert_eq!(r.columns.fields_types.as_deref(), Some(&[9u8, 4, 8][..]));
    assert_eq!(r.id, 1);
    let again: serde_json::Value = serde_json::from_str(&to_json(&r)).unwrap();
    assert_eq!(
        again,
        serde_json::from_slice::<serde_json::Value>(query).unwrap()
    );

    let error = br#"{"code":9728,"message":"syntax error near \"selec * from t\"","action":"query","req_id":14,"timing":80344}"#;
    let e: ErrorResponse = from_json("query", error).unwrap();
    assert_eq!(e.code(), Code::PAR_SYNTAX_ERROR);
    assert!(!e.is_ok());
    // An error parsed as a QueryResponse still yields its header.
    let q: QueryResponse = from_json("query", error).unwrap();
    assert_eq!(q.header.code, 9728);
}

#[test]
fn other_responses_round_trip() {
    let h = |a: &str| ResponseHeader::ok(a, u64::MAX, 5);
    let fetch = FetchResponse {
        header: h("fetch"),
        id: 1,
        completed: false,
        lengths: Some(vec![8, 4, 12]),
        rows: 2,
    };
    assert_eq!(
        from_json::<FetchResponse>("fetch", to_json(&fetch).as_bytes()).unwrap(),
        fetch
    );
    let v = VersionResponse {
        header: h("version"),
        version: "3.3.6.0".into(),
    };
    assert_eq!(
        from_json::<VersionResponse>("version", to_json(&v).as_bytes()).unwrap(),
        v
    );
    let c = ConnResponse {
        header: h("conn"),
        version: "3.3.6.0".into(),
        list_instances: None,
    };
    let text = to_json(&c);
    assert!(!text.contains("list_instances"));
    assert_eq!(
        from_json::<ConnResponse>("conn", text.as_bytes()).unwrap(),
        c
    );
    let s = ServerStatusResponse {
        header: h("check_server_status"),
        status: 2,
        details: String::new(),
    };
    assert_eq!(
        from_json::<ServerStatusResponse>("x", to_json(&s).as_bytes()).unwrap(),
        s
    );
    let vs = ValidateSqlResponse {
        header: h("validate_sql"),
        result_code: -2147473920,
    };
    assert_eq!(
        from_json::<ValidateSqlResponse>("x", to_json(&vs).as_bytes()).unwrap(),
        vs
    );
    let nf = NumFieldsResponse {
        header: h("num_fields"),
        num_fields: 3,
    };
    assert_eq!(
        from_json::<NumFieldsResponse>("x", to_json(&nf).as_bytes()).unwrap(),
        nf
    );
    let db = CurrentDbResponse {
        header: h("get_current_db"),
        db: "d".into(),
    };
    assert_eq!(
        from_json::<CurrentDbResponse>("x", to_json(&db).as_bytes()).unwrap(),
        db
    );
    let info = InfoResponse {
        header: h("get_server_info"),
        info: "3.3.6.0".into(),
    };
    assert_eq!(
        from_json::<InfoResponse>("x", to_json(&info).as_bytes()).unwrap(),
        info
    );
    let err = ResponseHeader::error(
        "conn",
        1,
        2,
        Code::MND_AUTH_FAILURE,
        "Authentication failure",
    );
    assert_eq!(peek_header(to_json(&err).as_bytes()).unwrap(), err);
    assert!(matches!(
        peek_header(b"{}"),
        Err(ProtocolError::BadResponse { .. })
    ));
}

#[test]
fn stmt2_requests_round_trip() {
    use super::{Stmt2InitRequest, Stmt2PrepareRequest, StmtIdRequest};
    let reqs = [
        Request::Stmt2Init(Stmt2InitRequest {
            req_id: 291,
            single_stb_insert: true,
            single_table_bind_once: false,
        }),
        Request::Stmt2Prepare(Stmt2PrepareRequest {
            req_id: 3,
            stmt_id: 1,
            sql: "INSERT INTO ? USING meters TAGS(?) VALUES(?,?,?)".into(),
            get_fields: true,
        }),
        Request::Stmt2Exec(StmtIdRequest {
            req_id: 10,
            stmt_id: 1,
        }),
        Request::Stmt2Result(StmtIdRequest {
            req_id: 7,
            stmt_id: 1,
        }),
        Request::Stmt2Close(StmtIdRequest {
            req_id: 11,
            stmt_id: 1,
        }),
    ];
    for r in reqs {
        assert_eq!(Request::parse(r.to_json().as_bytes()).unwrap(), r);
    }
}

#[test]
fn stmt2_prepare_response_from_spec() {
    use super::{Stmt2PrepareResponse, BIND_TYPE_TABLE_NAME};
    let text = r#"{"code":0,"message":"","action":"stmt2_prepare","req_id":3,"timing":812345,"stmt_id":1,
 "is_insert":true,
 "fields":[
   {"name":"tbname","field_type":8,"precision":0,"scale":0,"bytes":194,"bind_type":4},
   {"name":"groupid","field_type":4,"precision":0,"scale":0,"bytes":4,"bind_type":2},
   {"name":"ts","field_type":9,"precision":0,"scale":0,"bytes":8,"bind_type":1}],
 "fields_count":3}"#;
    let r: Stmt2PrepareResponse = from_json("stmt2_prepare", text.as_bytes()).unwrap();
    assert!(r.is_insert);
    let fields = r.fields.unwrap();
    assert_eq!(fields.len(), 3);
    assert_eq!(fields[0].bind_type, BIND_TYPE_TABLE_NAME);
    assert_eq!(fields[2].field_type, 9);
    // A query: fields null.
    let q = r#"{"code":0,"message":"","action":"stmt2_prepare","req_id":3,"timing":1,"stmt_id":1,"is_insert":false,"fields":null,"fields_count":2}"#;
    let r: Stmt2PrepareResponse = from_json("stmt2_prepare", q.as_bytes()).unwrap();
    assert!(r.fields.is_none() && r.fields_count == 2);
}

#[test]
fn stmt2_result_shares_the_query_result_columns() {
    let text = br#"{"code":0,"message":"","action":"stmt2_result","req_id":7,"timing":51234,"stmt_id":1,"id":2,"fields_count":4,"fields_names":["ts","current","voltage","phase"],"fields_types":[9,6,4,6],"fields_lengths":[8,4,4,4],"precision":0,"fields_precisions":[0,0,0,0],"fields_scales":[0,0,0,0]}"#;
    let r: Stmt2ResultResponse = from_json("stmt2_result", text).unwrap();
    assert_eq!((r.stmt_id, r.id, r.columns.fields_count), (1, 2, 4));
    assert_eq!(r.columns.fields_types.as_deref(), Some(&[9u8, 6, 4, 6][..]));
    let again: serde_json::Value = serde_json::from_str(&to_json(&r)).unwrap();
    assert_eq!(
        again,
        serde_json::from_slice::<serde_json::Value>(text).unwrap()
    );
    // The same columns as a query response describes them.
    let q = QueryResponse {
        columns: r.columns.clone(),
        ..QueryResponse::default()
    };
    let q: QueryResponse = from_json("query", to_json(&q).as_bytes()).unwrap();
    assert_eq!(q.columns, r.columns);
}

#[test]
fn stmt1_requests_round_trip_with_their_action_names() {
    let id = |req_id| StmtIdRequest { req_id, stmt_id: 2 };
    let reqs = [
        (Request::StmtInit(ReqIdArgs { req_id: 1 }), "init"),
        (
            Request::StmtPrepare(StmtPrepareRequest {
                req_id: 2,
                stmt_id: 2,
                sql: "insert into ? using st tags(?) values(?, ?)".into(),
            }),
            "prepare",
        ),
        (
            Request::StmtSetTableName(StmtSetTableNameRequest {
                req_id: 3,
                stmt_id: 2,
                name: "d1".into(),
            }),
            "set_table_name",
        ),
        (
            Request::StmtSetTags(StmtSetTagsRequest {
                req_id: 4,
                stmt_id: 2,
                tags: serde_json::json!([1, "a", null]),
            }),
            "set_tags",
        ),
        (
            Request::StmtBind(StmtBindRequest {
                req_id: 5,
                stmt_id: 2,
                columns: serde_json::json!([[1, 2], [true, null]]),
            }),
            "bind",
        ),
        (Request::StmtAddBatch(id(6)), "add_batch"),
        (Request::StmtExec(id(7)), "exec"),
        (Request::StmtClose(id(8)), "close"),
        (Request::StmtGetTagFields(id(9)), "get_tag_fields"),
        (Request::StmtGetColFields(id(10)), "get_col_fields"),
        (Request::StmtUseResult(id(11)), "use_result"),
        (Request::StmtNumParams(id(12)), "stmt_num_params"),
        (
            Request::StmtGetParam(StmtGetParamRequest {
                req_id: 13,
                stmt_id: 2,
                index: 1,
            }),
            "stmt_get_param",
        ),
    ];
    for (r, action) in reqs {
        assert_eq!(r.action(), action);
        let text = r.to_json();
        assert!(text.contains(&format!(r#""action":"{action}""#)), "{text}");
        assert_eq!(Request::parse(text.as_bytes()).unwrap(), r);
        assert_eq!(
            Request::parse(text.as_bytes()).unwrap().req_id(),
            r.req_id()
        );
    }
    // What the Rust client of the spec sends for bind.
    let text =
        br#"{"action":"bind","args":{"req_id":5,"stmt_id":1,"columns":[[1700000000000],[null]]}}"#;
    let Request::StmtBind(b) = Request::parse(text).unwrap() else {
        panic!("not bind")
    };
    assert_eq!(b.columns, serde_json::json!([[1700000000000_i64], [null]]));
}

#[test]
fn stmt1_responses_from_spec() {
    let text = br#"{"code":0,"message":"","action":"prepare","req_id":2,"timing":10,"stmt_id":1,"is_insert":true}"#;
    let r: StmtPrepareResponse = from_json("prepare", text).unwrap();
    assert!(r.is_insert && r.stmt_id == 1 && r.header.is_ok());
    let text = br#"{"code":0,"message":"","action":"exec","req_id":7,"timing":10,"stmt_id":1,"affected":3}"#;
    let r: StmtExecResponse = from_json("exec", text).unwrap();
    assert_eq!(r.affected, 3);
    let text = br#"{"code":0,"message":"","action":"get_col_fields","req_id":9,"timing":1,"stmt_id":1,"fields":[{"name":"ts","field_type":9,"precision":1,"scale":0,"bytes":8}]}"#;
    let r: StmtFieldsResponse = from_json("get_col_fields", text).unwrap();
    let f = &r.fields.unwrap()[0];
    assert_eq!(
        (f.name.as_str(), f.field_type, f.precision, f.bytes),
        ("ts", 9, 1, 8)
    );
    // Tags absent and columns null both mean none.
    for text in [
        &br#"{"code":0,"message":"","action":"get_tag_fields","req_id":9,"timing":1,"stmt_id":1}"#[..],
        br#"{"code":0,"message":"","action":"get_col_fields","req_id":9,"timing":1,"stmt_id":1,"fields":null}"#,
    ] {
        let r: StmtFieldsResponse = from_json("get_tag_fields", text).unwrap();
        assert_eq!(r.fields, None);
    }
    let text = br#"{"code":0,"message":"","action":"stmt_num_params","req_id":12,"timing":1,"stmt_id":1,"num_params":4}"#;
    let r: StmtNumParamsResponse = from_json("stmt_num_params", text).unwrap();
    assert_eq!(r.num_params, 4);
    let text = br#"{"code":0,"message":"","action":"stmt_get_param","req_id":13,"timing":1,"stmt_id":1,"index":1,"data_type":4,"length":4}"#;
    let r: StmtGetParamResponse = from_json("stmt_get_param", text).unwrap();
    assert_eq!((r.index, r.data_type, r.length), (1, 4, 4));
    let text = br#"{"code":0,"message":"","action":"use_result","req_id":11,"timing":1,"stmt_id":1,"result_id":5,"fields_count":1,"fields_names":["v"],"fields_types":[4],"fields_lengths":[4],"precision":0,"fields_precisions":[0],"fields_scales":[0]}"#;
    let r: StmtUseResultResponse = from_json("use_result", text).unwrap();
    assert_eq!((r.result_id, r.columns.fields_count), (5, 1));
}
