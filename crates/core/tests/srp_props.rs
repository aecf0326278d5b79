//! Property tests: client/server round trips, the group arithmetic against a plain num-bigint
//! formulation, `PAD` against num-bigint's two's-complement encoder, wire hex, and TIMESTAMP
//! format/parse. Case counts are kept low where a case costs full 3072-bit exponentiations
//! (hundreds of milliseconds each in a debug build).

use chrono::{DateTime, Datelike, TimeZone, Utc};
use cognito_harness_core::srp::math::{self, G, K, N};
use cognito_harness_core::srp::{
    PasswordVerifierChallenge, ServerSession, SrpClient, SrpError, Verifier,
};
use num_bigint::{BigInt, BigUint, Sign};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A pool id with an arbitrary (underscore-free) region and a name that may hold anything.
fn pool_id() -> impl Strategy<Value = String> {
    ("[a-z]{2}-[a-z]{4,9}-[1-3]", "[A-Za-z0-9]{1,12}").prop_map(|(r, n)| format!("{r}_{n}"))
}

/// Names and passwords: any printable Unicode, so non-ASCII is common.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("\\PC{{1,{max}}}")).expect("regex")
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 1970-01-01 .. 9999-12-31 at one-second resolution.
    (0i64..253_402_300_799).prop_map(|s| Utc.timestamp_opt(s, 0).single().expect("in range"))
}

fn challenge(
    verifier: &Verifier,
    session: &ServerSession,
    user: &str,
    block: &[u8],
) -> PasswordVerifierChallenge {
    PasswordVerifierChallenge {
        salt: verifier.salt_hex(),
        srp_b: session.b_pub_hex(),
        secret_block: math::encode_secret_block(block),
        user_id_for_srp: user.to_owned(),
        username: user.to_owned(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Sign-up, InitiateAuth and RespondToAuthChallenge agree for any user, password, salt,
    /// secret block and clock; any other password is refused.
    #[test]
    fn client_and_server_round_trip_and_wrong_password_is_refused(
        pool in pool_id(),
        user in text(24),
        password in text(32),
        other in text(32),
        seed in any::<u64>(),
        block in proptest::collection::vec(any::<u8>(), 0..96),
        now in instant(),
    ) {
        prop_assume!(password != other);
        let mut rng = StdRng::seed_from_u64(seed);
        let verifier = Verifier::new(&pool, &user, &password, &mut rng).unwrap();
        let client = SrpClient::from_rng(&mut rng).unwrap();
        let session = ServerSession::from_rng(&verifier, &client.a_pub_hex(), &mut rng).unwrap();
        let challenge = challenge(&verifier, &session, &user, &block);

        let response = client.respond(&challenge, &pool, &password, now).unwrap();
        prop_assert_eq!(&response.username, &user);
        prop_assert_eq!(&response.password_claim_secret_block, &challenge.secret_block);
        prop_assert_eq!(session.verify(&pool, &user, &response), Ok(now));

        let wrong = client.respond(&challenge, &pool, &other, now).unwrap();
        prop_assert_eq!(session.verify(&pool, &user, &wrong), Err(SrpError::SignatureMismatch));
    }

}

proptest! {
    // num-bigint's own modpow is slow in a debug build: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// The Montgomery/fixed-base paths against the formulas written with num-bigint alone.
    #[test]
    fn group_arithmetic_matches_plain_num_bigint(
        a in proptest::collection::vec(any::<u8>(), 1..=128),
        b in proptest::collection::vec(any::<u8>(), 32..=32),
        x in proptest::collection::vec(any::<u8>(), 32..=32),
        u in proptest::collection::vec(any::<u8>(), 1..=32),
        b_pub_wire in proptest::collection::vec(any::<u8>(), 1..=400),
        negative in any::<bool>(),
    ) {
        let n = &*N;
        let (a, b, x, u) = (
            BigUint::from_bytes_be(&a),
            BigUint::from_bytes_be(&b),
            BigUint::from_bytes_be(&x),
            BigUint::from_bytes_be(&u),
        );
        let sign = if negative { Sign::Minus } else { Sign::Plus };
        let b_pub = BigInt::from_bytes_be(sign, &b_pub_wire);

        prop_assert_eq!(math::compute_a_pub(&a), G.modpow(&a, n), "A");
        let v = G.modpow(&x, n);
        prop_assert_eq!(math::compute_v(&x), v.clone(), "v");
        prop_assert_eq!(math::compute_b_pub(&v, &b), (&*K * &v + G.modpow(&b, n)) % n, "B");

        // S = (B - k·v)^(a + u·x) mod N, with Java's non-negative mod.
        let n_int = BigInt::from(n.clone());
        let base = ((&b_pub - BigInt::from(&*K * &v)) % &n_int + &n_int) % &n_int;
        let expected = base.to_biguint().unwrap().modpow(&(&a + &u * &x), n);
        prop_assert_eq!(math::client_premaster(&b_pub, &x, &a, &u), expected, "client S");

        // S = (A · v^u mod N)^b mod N
        let a_pub = BigInt::from(G.modpow(&a, n));
        let expected = (G.modpow(&a, n) * v.modpow(&u, n) % n).modpow(&b, n);
        prop_assert_eq!(math::server_premaster(&a_pub, &v, &u, &b), expected, "server S");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// PAD is Java's `toByteArray`: the same bytes as num-bigint's two's-complement encoder,
    /// which decode back to the number, and no byte shorter would do.
    #[test]
    fn pad_is_minimal_twos_complement(bytes in proptest::collection::vec(any::<u8>(), 0..48), negative in any::<bool>()) {
        let sign = if negative { Sign::Minus } else { Sign::Plus };
        let n = BigInt::from_bytes_be(sign, &bytes);
        let pad = math::pad(&n);
        prop_assert_eq!(&pad, &n.to_signed_bytes_be());
        prop_assert_eq!(BigInt::from_signed_bytes_be(&pad), n.clone());
        if pad.len() > 1 {
            prop_assert_ne!(BigInt::from_signed_bytes_be(&pad[1..]), n.clone(), "not minimal");
        }
        if let Some(m) = n.to_biguint() {
            prop_assert_eq!(math::pad_unsigned(&m), pad);
        }
    }

    /// Wire hex round-trips, and leading zeros, upper case and odd length parse to the same
    /// number.
    #[test]
    fn wire_hex_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..48), negative in any::<bool>(), zeros in 0usize..3) {
        let sign = if negative { Sign::Minus } else { Sign::Plus };
        let n = BigInt::from_bytes_be(sign, &bytes);
        let hex = math::to_wire_hex(&n);
        prop_assert_eq!(math::parse_wire_hex("SALT", &hex), Ok(n.clone()));
        prop_assert!(!hex.trim_start_matches('-').starts_with('0') || hex == "0");
        let magnitude = format!("{}{}", "0".repeat(zeros), hex.trim_start_matches('-').to_uppercase());
        let padded = if hex.starts_with('-') { format!("-{magnitude}") } else { magnitude };
        prop_assert_eq!(math::parse_wire_hex("SALT", &padded), Ok(n));
    }

    /// TIMESTAMP: format then parse gives the instant back.
    #[test]
    fn timestamp_round_trips(t in instant()) {
        let s = math::format_timestamp(t);
        prop_assert_eq!(math::parse_timestamp(&s), Ok(t));
    }

    /// A zero-padded day or another weekday never parses.
    #[test]
    fn timestamp_rejects_padded_day_and_wrong_weekday(t in instant(), shift in 1u32..7) {
        let s = math::format_timestamp(t);
        let fields: Vec<&str> = s.split(' ').collect();
        if t.day() < 10 {
            let padded = format!("{} {} 0{} {} {} {}", fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
            prop_assert_eq!(math::parse_timestamp(&padded), Err(SrpError::NonCanonicalTimestamp { canonical: s.clone() }));
        }
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let today = t.weekday().num_days_from_monday();
        let other = days[((today + shift) % 7) as usize];
        let wrong = s.replacen(fields[0], other, 1);
        prop_assert_eq!(math::parse_timestamp(&wrong), Err(SrpError::NonCanonicalTimestamp { canonical: s }));
    }

    /// Whatever the input, a successful parse means the input was the canonical form.
    #[test]
    fn timestamp_accepts_only_canonical_text(
        s in prop_oneof![
            ".*",
            "[A-Za-z]{3} [A-Za-z]{3} [0-9]{1,2} [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2} (UTC|GMT|utc|PST) [0-9]{1,5}",
        ],
    ) {
        match math::parse_timestamp(&s) {
            Ok(t) => prop_assert_eq!(math::format_timestamp(t), s),
            Err(SrpError::MalformedTimestamp | SrpError::NonCanonicalTimestamp { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    /// Untrusted challenge and response strings give errors, never panics (inputs that do
    /// parse as hex are rare here, which keeps this cheap).
    #[test]
    fn arbitrary_wire_strings_never_panic(
        salt in ".{0,12}",
        srp_b in ".{0,12}",
        block in ".{0,12}",
        timestamp in ".{0,40}",
        signature in ".{0,48}",
        pool in ".{0,20}",
    ) {
        let client = client_fixture();
        let challenge = PasswordVerifierChallenge {
            salt,
            srp_b,
            secret_block: block.clone(),
            user_id_for_srp: "u".into(),
            username: "u".into(),
        };
        let _ = client.respond(&challenge, &pool, "p", Utc.timestamp_opt(0, 0).unwrap());
        let response = cognito_harness_core::srp::PasswordVerifierResponse {
            username: "u".into(),
            password_claim_secret_block: block,
            timestamp,
            password_claim_signature: signature,
        };
        let _ = session_fixture().verify(&pool, "u", &response);
    }
}

fn client_fixture() -> &'static SrpClient {
    static CLIENT: std::sync::LazyLock<SrpClient> =
        std::sync::LazyLock::new(|| SrpClient::new(BigUint::from(12345u32)).unwrap());
    &CLIENT
}

fn session_fixture() -> &'static ServerSession {
    static SESSION: std::sync::LazyLock<ServerSession> = std::sync::LazyLock::new(|| {
        let verifier = Verifier::with_salt([7; 16], "us-east-1_X", "u", "p").unwrap();
        ServerSession::new(
            &verifier,
            &client_fixture().a_pub_hex(),
            BigUint::from(99u8),
        )
        .unwrap()
    });
    &SESSION
}

#[test]
fn zero_a_and_zero_b_are_refused() {
    let verifier = Verifier::with_salt([7; 16], "us-east-1_X", "u", "p").unwrap();
    let n_hex = format!("{:x}", *N);
    for a in [
        "0",
        "-0",
        n_hex.as_str(),
        &format!("-{n_hex}"),
        &format!("{:x}", &*N * 2u8),
    ] {
        assert_eq!(
            ServerSession::new(&verifier, a, BigUint::from(5u8)).unwrap_err(),
            SrpError::ZeroA,
            "{a}"
        );
    }
    let client = client_fixture();
    for b in ["0", n_hex.as_str(), &format!("-{n_hex}")] {
        let challenge = PasswordVerifierChallenge {
            salt: "1".into(),
            srp_b: b.into(),
            secret_block: String::new(),
            user_id_for_srp: "u".into(),
            username: "u".into(),
        };
        assert_eq!(
            client
                .respond(
                    &challenge,
                    "us-east-1_X",
                    "p",
                    Utc.timestamp_opt(0, 0).unwrap()
                )
                .unwrap_err(),
            SrpError::ZeroB,
            "{b}"
        );
    }
    assert_eq!(
        SrpClient::new(BigUint::from(0u8)).unwrap_err(),
        SrpError::ZeroPrivateExponent { which: "a" }
    );
    assert_eq!(
        ServerSession::new(&verifier, "2", BigUint::from(0u8)).unwrap_err(),
        SrpError::ZeroPrivateExponent { which: "b" }
    );
}

#[test]
fn wire_errors_name_the_field() {
    let verifier = Verifier::with_salt([7; 16], "us-east-1_X", "u", "p").unwrap();
    assert_eq!(
        ServerSession::new(&verifier, "xyz", BigUint::from(5u8)).unwrap_err(),
        SrpError::BadHex { field: "SRP_A" }
    );
    let mut challenge = PasswordVerifierChallenge {
        salt: "1".into(),
        srp_b: "2".into(),
        // Nothing of the base64 alphabets in it (other characters are skipped, as the official
        // client does).
        secret_block: "!!! ???".into(),
        user_id_for_srp: "u".into(),
        username: "u".into(),
    };
    let now = Utc.timestamp_opt(0, 0).unwrap();
    let client = client_fixture();
    assert_eq!(
        client
            .respond(&challenge, "us-east-1_X", "p", now)
            .unwrap_err(),
        SrpError::BadSecretBlock
    );
    assert!(matches!(
        client.respond(&challenge, "nopool", "p", now).unwrap_err(),
        SrpError::BadPoolId { .. }
    ));
    challenge.salt = "-".into();
    assert_eq!(
        client
            .respond(&challenge, "us-east-1_X", "p", now)
            .unwrap_err(),
        SrpError::BadHex { field: "SALT" }
    );
    challenge.srp_b = "0x2".into();
    assert_eq!(
        client
            .respond(&challenge, "us-east-1_X", "p", now)
            .unwrap_err(),
        SrpError::BadHex { field: "SRP_B" }
    );
}

/// A generator stuck at zero: the constructors that draw must refuse, not loop or panic.
struct ZeroRng;

impl rand::RngCore for ZeroRng {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        dst.fill(0);
    }
}

#[test]
fn a_stuck_generator_is_refused() {
    assert_eq!(
        SrpClient::from_rng(&mut ZeroRng).unwrap_err(),
        SrpError::ZeroPrivateExponent { which: "a" }
    );
    let verifier = Verifier::new("us-east-1_X", "u", "p", &mut ZeroRng).unwrap();
    assert_eq!(verifier.salt_hex(), "0");
    assert_eq!(
        ServerSession::from_rng(&verifier, "2", &mut ZeroRng).unwrap_err(),
        SrpError::ZeroPrivateExponent { which: "b" }
    );
}
