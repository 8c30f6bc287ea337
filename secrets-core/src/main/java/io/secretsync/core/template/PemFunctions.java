package io.secretsync.core.template;

import static io.secretsync.core.template.Function.Param.STRING;

import io.secretsync.core.template.Function.Failure;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.MacData;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Pfx;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA224Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.PKCS12ParametersGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBagFactory;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCS12MacCalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEInputDecryptorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;

/**
 * ESO's own template functions for PEM, PKCS#12 and JWK (ESO's {@code runtime/template/v2}),
 * written with BouncyCastle. Outputs follow Go's encoders: PEM with 64-column lines, private keys
 * as PKCS#8 {@code PRIVATE KEY}, certificate chains ordered leaf first by key identifiers.
 * Failures never include key material.
 */
final class PemFunctions {

  private static final Provider BC = new BouncyCastleProvider();

  private PemFunctions() {}

  static void register(Map<String, Function> m) {
    put(m, Function.of("filterPEM", a -> filterPem(s(a.get(0)), s(a.get(1))), STRING, STRING));
    put(m, Function.of("pkcs12key", a -> pkcs12Key("", s(a.get(0))), STRING));
    put(m, Function.of("pkcs12keyPass", a -> pkcs12Key(s(a.get(0)), s(a.get(1))), STRING, STRING));
    put(m, Function.of("pkcs12cert", a -> pkcs12Cert("", s(a.get(0))), STRING));
    put(m, Function.of("pkcs12certPass", a -> pkcs12Cert(s(a.get(0)), s(a.get(1))), STRING, STRING));
    put(m, Function.of("pemToPkcs12", a -> pemToPkcs12(s(a.get(0)), s(a.get(1)), "", false), STRING, STRING));
    put(m, Function.of("pemToPkcs12Pass", a -> pemToPkcs12(s(a.get(0)), s(a.get(1)), s(a.get(2)), false), STRING,
        STRING, STRING));
    put(m, Function.of("fullPemToPkcs12", a -> pemToPkcs12(s(a.get(0)), s(a.get(1)), "", true), STRING, STRING));
    put(m, Function.of("fullPemToPkcs12Pass", a -> pemToPkcs12(s(a.get(0)), s(a.get(1)), s(a.get(2)), true),
        STRING, STRING, STRING));
    put(m, Function.of("jwkPublicKeyPem", a -> Jwk.publicKeyPem(s(a.get(0))), STRING));
    put(m, Function.of("jwkPrivateKeyPem", a -> Jwk.privateKeyPem(s(a.get(0))), STRING));
  }

  private static void put(Map<String, Function> m, Function f) {
    m.put(f.name(), f);
  }

  private static String s(Object o) {
    return (String) o;
  }

  // ---- PEM, as Go's encoding/pem reads and writes it

  /** One PEM block. */
  record Block(String type, List<String[]> headers, byte[] bytes) {}

  /** A decoded block and the text after it. */
  record Decoded(Block block, String rest) {}

  /** Go's {@code pem.Decode}: the first valid block, or null with the whole input as rest. */
  static Decoded decode(String data) {
    String rest = data;
    while (true) {
      if (rest.startsWith("-----BEGIN ")) {
        rest = rest.substring("-----BEGIN ".length());
      } else {
        int at = rest.indexOf("\n-----BEGIN ");
        if (at < 0) {
          return new Decoded(null, data);
        }
        rest = rest.substring(at + "\n-----BEGIN ".length());
      }
      String[] line = getLine(rest);
      String typeLine = line[0];
      rest = line[1];
      if (!typeLine.endsWith("-----")) {
        continue;
      }
      String type = typeLine.substring(0, typeLine.length() - 5);
      List<String[]> headers = new ArrayList<>();
      boolean exhausted = false;
      while (true) {
        if (rest.isEmpty()) {
          exhausted = true;
          break;
        }
        String[] hl = getLine(rest);
        int colon = hl[0].indexOf(':');
        if (colon < 0) {
          break;
        }
        headers.add(new String[] {hl[0].substring(0, colon).trim(), hl[0].substring(colon + 1).trim()});
        rest = hl[1];
      }
      if (exhausted) {
        return new Decoded(null, data);
      }
      int endIndex;
      int endTrailerIndex;
      if (headers.isEmpty() && rest.startsWith("-----END ")) {
        endIndex = 0;
        endTrailerIndex = "-----END ".length();
      } else {
        endIndex = rest.indexOf("\n-----END ");
        endTrailerIndex = endIndex + "\n-----END ".length();
      }
      if (endIndex < 0) {
        continue;
      }
      String endTrailer = rest.substring(endTrailerIndex);
      int endTrailerLen = type.length() + 5;
      if (endTrailer.length() < endTrailerLen) {
        continue;
      }
      String restOfEndLine = endTrailer.substring(endTrailerLen);
      endTrailer = endTrailer.substring(0, endTrailerLen);
      if (!endTrailer.startsWith(type) || !endTrailer.endsWith("-----")) {
        continue;
      }
      if (!getLine(restOfEndLine)[0].isEmpty()) {
        continue;
      }
      String b64 = rest.substring(0, endIndex).replace(" ", "").replace("\t", "");
      byte[] bytes = base64(b64);
      if (bytes == null) {
        continue;
      }
      String after = getLine(rest.substring(endIndex + "\n-----END ".length() - 1))[1];
      return new Decoded(new Block(type, headers, bytes), after);
    }
  }

  /** Go's pem getLine: the line without trailing spaces, tabs and CR, and the rest after the newline. */
  private static String[] getLine(String data) {
    int i = data.indexOf('\n');
    int j;
    if (i < 0) {
      i = data.length();
      j = i;
    } else {
      j = i + 1;
      if (i > 0 && data.charAt(i - 1) == '\r') {
        i--;
      }
    }
    String line = data.substring(0, i);
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
      end--;
    }
    return new String[] {line.substring(0, end), data.substring(j)};
  }

  /** Go's StdEncoding decode (CR and LF ignored), or null when invalid. */
  private static byte[] base64(String s) {
    String clean = s.replace("\r", "").replace("\n", "");
    if (clean.length() % 4 != 0) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(clean);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Go's {@code pem.Encode}. */
  static String encode(String type, byte[] bytes) {
    StringBuilder out = new StringBuilder();
    out.append("-----BEGIN ").append(type).append("-----\n");
    String b64 = Base64.getEncoder().encodeToString(bytes);
    for (int i = 0; i < b64.length(); i += 64) {
      out.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    return out.append("-----END ").append(type).append("-----\n").toString();
  }

  private static String encode(Block b) {
    if (b.headers().isEmpty()) {
      return encode(b.type(), b.bytes());
    }
    StringBuilder out = new StringBuilder();
    out.append("-----BEGIN ").append(b.type()).append("-----\n");
    List<String[]> sorted = new ArrayList<>(b.headers());
    sorted.sort((x, y) -> x[0].equals("Proc-Type") ? -1 : y[0].equals("Proc-Type") ? 1 : x[0].compareTo(y[0]));
    for (String[] h : sorted) {
      out.append(h[0]).append(": ").append(h[1]).append('\n');
    }
    out.append('\n');
    String b64 = Base64.getEncoder().encodeToString(b.bytes());
    for (int i = 0; i < b64.length(); i += 64) {
      out.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    return out.append("-----END ").append(b.type()).append("-----\n").toString();
  }

  /** ESO's {@code filterPEM}: the blocks of one type, re-encoded; junk before the first block is skipped. */
  static String filterPem(String pemType, String input) {
    int begin = input.indexOf("-----BEGIN");
    String data = begin < 0 ? input : input.substring(begin);
    StringBuilder blocks = new StringBuilder();
    String rest;
    while (true) {
      Decoded d = decode(data);
      rest = d.rest();
      data = d.rest();
      if (d.block() == null) {
        break;
      }
      if (d.block().type().equalsIgnoreCase(pemType)) {
        blocks.append(encode(d.block()));
      }
    }
    if (blocks.length() == 0 && !rest.isEmpty()) {
      throw new Failure("error filtering pem: found junk");
    }
    return blocks.toString();
  }

  // ---- PKCS#12

  private record Bundle(PrivateKeyInfo key, X509CertificateHolder leaf, List<X509CertificateHolder> cas) {}

  private static Bundle decodePkcs12(String input, String password, String what) {
    try {
      return decodePkcs12(input, password, what, BC);
    } catch (Failure f) {
      if (!password.isEmpty()) {
        throw f;
      }
      // BouncyCastle's JCA provider refuses empty passwords; its lightweight API reads legacy PKCS#12 PBE
      return decodePkcs12(input, password, what, null);
    }
  }

  private static Bundle decodePkcs12(String input, String password, String what, Provider provider) {
    byte[] der = GoStrings.toBytes(input);
    PKCS12PfxPdu pfx;
    try {
      pfx = new PKCS12PfxPdu(der);
    } catch (IOException | RuntimeException e) {
      throw new Failure(what + "pkcs12: error reading P12 data: not a PKCS#12 bundle");
    }
    char[] pw = password.toCharArray();
    if (pfx.hasMac() && !macValid(pfx, password)) {
      throw new Failure(what + "pkcs12: decryption password incorrect");
    }
    InputDecryptorProvider decryptor;
    try {
      decryptor = provider != null
          ? new JcePKCSPBEInputDecryptorProviderBuilder().setProvider(provider).setTryWrongPKCS12Zero(true).build(pw)
          : new org.bouncycastle.pkcs.bc.BcPKCS12PBEInputDecryptorProviderBuilder().build(pw);
    } catch (RuntimeException e) {
      throw new Failure(what + "pkcs12: unsupported encryption");
    }
    PrivateKeyInfo key = null;
    X509CertificateHolder leaf = null;
    List<X509CertificateHolder> cas = new ArrayList<>();
    try {
      for (ContentInfo info : pfx.getContentInfos()) {
        PKCS12SafeBagFactory factory = info.getContentType().equals(PKCSObjectIdentifiers.encryptedData)
            ? new PKCS12SafeBagFactory(info, decryptor) : new PKCS12SafeBagFactory(info);
        for (PKCS12SafeBag bag : factory.getSafeBags()) {
          Object value = bag.getBagValue();
          if (value instanceof X509CertificateHolder cert) {
            if (leaf == null) {
              leaf = cert;
            } else {
              cas.add(cert);
            }
          } else if (value instanceof PKCS8EncryptedPrivateKeyInfo enc) {
            if (key != null) {
              throw new Failure(what + "pkcs12: expected exactly one key bag");
            }
            key = enc.decryptPrivateKeyInfo(decryptor);
          } else if (value instanceof PrivateKeyInfo plain) {
            if (key != null) {
              throw new Failure(what + "pkcs12: expected exactly one key bag");
            }
            key = plain;
          }
        }
      }
    } catch (Failure f) {
      throw f;
    } catch (Exception e) {
      throw new Failure(what + "pkcs12: decryption error, incorrect padding or unsupported algorithm");
    }
    if (leaf == null) {
      throw new Failure(what + "pkcs12: certificate missing");
    }
    if (key == null) {
      throw new Failure(what + "pkcs12: private key missing");
    }
    return new Bundle(key, leaf, cas);
  }

  /** Verifies the MAC, trying the empty password both as two zero bytes and as nothing, as Go does. */
  private static boolean macValid(PKCS12PfxPdu pfx, String password) {
    Pfx structure = pfx.toASN1Structure();
    MacData mac = structure.getMacData();
    Digest digest = digestFor(mac.getMac().getAlgorithmId().getAlgorithm());
    if (digest == null) {
      return false;
    }
    byte[] content = ASN1OctetString.getInstance(structure.getAuthSafe().getContent()).getOctets();
    List<byte[]> candidates = new ArrayList<>();
    candidates.add(bmpZeroTerminated(password));
    if (password.isEmpty()) {
      candidates.add(new byte[0]);
    }
    for (byte[] pw : candidates) {
      PKCS12ParametersGenerator gen = new PKCS12ParametersGenerator(digestFor(mac.getMac().getAlgorithmId()
          .getAlgorithm()));
      gen.init(pw, mac.getSalt(), mac.getIterationCount().intValueExact());
      KeyParameter key = (KeyParameter) gen.generateDerivedMacParameters(digest.getDigestSize() * 8);
      HMac hmac = new HMac(digestFor(mac.getMac().getAlgorithmId().getAlgorithm()));
      hmac.init(key);
      hmac.update(content, 0, content.length);
      byte[] out = new byte[hmac.getMacSize()];
      hmac.doFinal(out, 0);
      if (MessageDigest.isEqual(out, mac.getMac().getDigest())) {
        return true;
      }
    }
    return false;
  }

  private static Digest digestFor(ASN1ObjectIdentifier oid) {
    if (oid.equals(org.bouncycastle.asn1.oiw.OIWObjectIdentifiers.idSHA1)) {
      return new SHA1Digest();
    } else if (oid.equals(NISTObjectIdentifiers.id_sha224)) {
      return new SHA224Digest();
    } else if (oid.equals(NISTObjectIdentifiers.id_sha256)) {
      return new SHA256Digest();
    } else if (oid.equals(NISTObjectIdentifiers.id_sha384)) {
      return new SHA384Digest();
    } else if (oid.equals(NISTObjectIdentifiers.id_sha512)) {
      return new SHA512Digest();
    }
    return null;
  }

  private static byte[] bmpZeroTerminated(String s) {
    byte[] out = new byte[s.length() * 2 + 2];
    for (int i = 0; i < s.length(); i++) {
      out[i * 2] = (byte) (s.charAt(i) >> 8);
      out[i * 2 + 1] = (byte) s.charAt(i);
    }
    return out;
  }

  static String pkcs12Key(String password, String input) {
    Bundle b = decodePkcs12(input, password, "unable to decode pkcs12 with password: ");
    return encode("PRIVATE KEY", goPkcs8(b.key()));
  }

  static String pkcs12Cert(String password, String input) {
    Bundle b = decodePkcs12(input, password, "unable to decode pkcs12 certificate with password: ");
    List<X509CertificateHolder> all = new ArrayList<>();
    all.add(b.leaf());
    all.addAll(b.cas());
    List<X509CertificateHolder> ordered = orderChain(all);
    StringBuilder out = new StringBuilder();
    for (X509CertificateHolder c : ordered == null ? all : ordered) {
      out.append(encode("CERTIFICATE", der(c)));
    }
    return out.toString();
  }

  private static byte[] der(X509CertificateHolder c) {
    try {
      return c.getEncoded();
    } catch (IOException e) {
      throw new Failure("x509: cannot encode certificate");
    }
  }

  private static byte[] keyId(X509CertificateHolder c, boolean authority) {
    Extension ext = c.getExtension(authority ? Extension.authorityKeyIdentifier : Extension.subjectKeyIdentifier);
    if (ext == null) {
      return new byte[0];
    }
    if (authority) {
      byte[] id = org.bouncycastle.asn1.x509.AuthorityKeyIdentifier.getInstance(ext.getParsedValue())
          .getKeyIdentifier();
      return id == null ? new byte[0] : id;
    }
    return ASN1OctetString.getInstance(ext.getParsedValue()).getOctets();
  }

  /** ESO's chain ordering: each certificate's parent is the one whose SKI is its AKI; null when ambiguous. */
  static List<X509CertificateHolder> orderChain(List<X509CertificateHolder> certs) {
    int n = certs.size();
    int[] parent = new int[n];
    boolean[] isParent = new boolean[n];
    Arrays.fill(parent, -1);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i != j && Arrays.equals(keyId(certs.get(i), true), keyId(certs.get(j), false))) {
          isParent[j] = true;
          parent[i] = j;
          break;
        }
      }
    }
    int leaf = -1;
    for (int i = 0; i < n; i++) {
      if (!isParent[i]) {
        if (leaf >= 0) {
          return null;
        }
        leaf = i;
      }
    }
    if (leaf < 0) {
      return null;
    }
    List<X509CertificateHolder> out = new ArrayList<>();
    for (int at = leaf; at >= 0; at = parent[at]) {
      if (out.size() >= n) {
        return null;
      }
      out.add(certs.get(at));
    }
    return out;
  }

  /** Go's {@code x509.MarshalPKCS8PrivateKey} of the parsed key: EC keys without inner curve parameters. */
  static byte[] goPkcs8(PrivateKeyInfo info) {
    try {
      AlgorithmIdentifier alg = info.getPrivateKeyAlgorithm();
      if (alg.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)) {
        org.bouncycastle.asn1.sec.ECPrivateKey ec = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(
            info.parsePrivateKey());
        ASN1ObjectIdentifier curve = ASN1ObjectIdentifier.getInstance(alg.getParameters());
        return ecPkcs8(curve, ec.getKey(), ec.getPublicKey() == null ? null : ec.getPublicKey().getOctets());
      }
      if (alg.getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption)) {
        return new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
            info.parsePrivateKey()).getEncoded("DER");
      }
      return new PrivateKeyInfo(alg, info.parsePrivateKey()).getEncoded("DER");
    } catch (IOException e) {
      throw new Failure("x509: failed to marshal private key");
    }
  }

  private static int curveBytes(ASN1ObjectIdentifier curve) {
    org.bouncycastle.asn1.x9.X9ECParameters p = org.bouncycastle.asn1.x9.ECNamedCurveTable.getByOID(curve);
    if (p == null) {
      throw new Failure("x509: unknown elliptic curve");
    }
    return (p.getCurve().getFieldSize() + 7) / 8;
  }

  static byte[] ecPkcs8(ASN1ObjectIdentifier curve, BigInteger d, byte[] publicPoint) throws IOException {
    int size = curveBytes(curve);
    byte[] priv = new byte[size];
    byte[] raw = d.toByteArray();
    int copy = Math.min(raw.length, size);
    System.arraycopy(raw, raw.length - copy, priv, size - copy, copy);
    List<ASN1Encodable> inner = new ArrayList<>();
    inner.add(new ASN1Integer(1));
    inner.add(new DEROctetString(priv));
    if (publicPoint != null) {
      inner.add(new DERTaggedObject(true, 1, new DERBitString(publicPoint)));
    }
    byte[] ecKey = new DERSequence(inner.toArray(new ASN1Encodable[0])).getEncoded("DER");
    return new DERSequence(new ASN1Encodable[] {
        new ASN1Integer(0),
        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve),
        new DEROctetString(ecKey)}).getEncoded("DER");
  }

  // ---- PEM to PKCS#12

  private static X509Certificate parseCertificate(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new Failure("x509: malformed certificate");
    }
  }

  static PrivateKey parsePrivateKey(byte[] der) {
    PrivateKeyInfo info;
    try {
      info = PrivateKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      try {
        org.bouncycastle.asn1.pkcs.RSAPrivateKey rsa = org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(der);
        info = new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
            rsa);
      } catch (RuntimeException e2) {
        try {
          org.bouncycastle.asn1.sec.ECPrivateKey ec = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(der);
          info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, ec.getParametersObject()),
              ec);
        } catch (RuntimeException | IOException e3) {
          throw new Failure("unable to parse private key type");
        }
      } catch (IOException e2) {
        throw new Failure("unable to parse private key type");
      }
    }
    try {
      return new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().setProvider(BC).getPrivateKey(info);
    } catch (Exception e) {
      throw new Failure("unable to parse private key type");
    }
  }

  static String pemToPkcs12(String certPem, String keyPem, String password, boolean full) {
    Decoded first = decode(certPem);
    if (first.block() == null) {
      throw new Failure("x509: no PEM certificate found");
    }
    X509Certificate cert = parseCertificate(first.block().bytes());
    List<X509Certificate> cas = new ArrayList<>();
    if (full) {
      String rest = first.rest();
      while (!rest.isEmpty()) {
        Decoded d = decode(rest);
        if (d.block() == null) {
          throw new Failure("x509: malformed certificate");
        }
        cas.add(parseCertificate(d.block().bytes()));
        rest = d.rest();
      }
    }
    Decoded keyBlock = decode(keyPem);
    if (keyBlock.block() == null) {
      throw new Failure("unable to parse private key type");
    }
    PrivateKey key = parsePrivateKey(keyBlock.block().bytes());
    try {
      char[] pw = password.toCharArray();
      // go-pkcs12's Modern encoder: PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC), 2048 iterations. BouncyCastle
      // refuses PBKDF2 with an empty password, so an empty password gets PKCS#12 PBE with 3DES instead.
      OutputEncryptor encryptor = password.isEmpty()
          ? new org.bouncycastle.pkcs.bc.BcPKCS12PBEOutputEncryptorBuilder(
              PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC,
              new org.bouncycastle.crypto.modes.CBCBlockCipher(new org.bouncycastle.crypto.engines.DESedeEngine()))
              .setIterationCount(2048).build(pw)
          : new JcePKCSPBEOutputEncryptorBuilder(NISTObjectIdentifiers.id_aes256_CBC)
              .setProvider(BC)
              .setPRF(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE))
              .setIterationCount(2048)
              .setRandom(new SecureRandom())
              .build(pw);
      byte[] localKeyId = MessageDigest.getInstance("SHA-1").digest(cert.getEncoded());
      PKCS12SafeBagBuilder certBag = new JcaPKCS12SafeBagBuilder(cert);
      certBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, new DEROctetString(localKeyId));
      List<PKCS12SafeBag> certBags = new ArrayList<>();
      certBags.add(certBag.build());
      for (X509Certificate ca : cas) {
        certBags.add(new JcaPKCS12SafeBagBuilder(ca).build());
      }
      PKCS12SafeBagBuilder keyBag = new JcaPKCS12SafeBagBuilder(key, encryptor);
      keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, new DEROctetString(localKeyId));
      PKCS12PfxPduBuilder builder = new PKCS12PfxPduBuilder();
      builder.addEncryptedData(encryptor, certBags.toArray(new PKCS12SafeBag[0]));
      builder.addData(keyBag.build());
      PKCS12PfxPdu pfx = builder.build(new JcePKCS12MacCalculatorBuilder(NISTObjectIdentifiers.id_sha256)
          .setProvider(BC).setIterationCount(2048), pw);
      return Base64.getEncoder().encodeToString(pfx.getEncoded("DER"));
    } catch (Failure f) {
      throw f;
    } catch (Exception e) {
      throw new Failure("pkcs12: cannot encode the bundle");
    }
  }

  // ---- JWK

  /** RFC 7517 keys (RSA, EC P-256/384/521, Ed25519) to PKIX and PKCS#8 PEM, as ESO's jwk functions. */
  static final class Jwk {
    private Jwk() {}

    private static GoMap parse(String json) {
      Object v;
      try {
        v = GoJson.unmarshal(json);
      } catch (IllegalArgumentException e) {
        throw new Failure("failed to unmarshal JSON into key hint: invalid JSON");
      }
      if (!(v instanceof GoMap m)) {
        throw new Failure("failed to parse key: not a JSON object");
      }
      return m;
    }

    private static String field(GoMap m, String name, boolean required) {
      Object v = m.entries.get(name);
      if (v instanceof String s) {
        return s;
      }
      if (required) {
        throw new Failure("failed to parse key: required field " + name + " is missing");
      }
      return null;
    }

    private static BigInteger num(GoMap m, String name) {
      return new BigInteger(1, bytes(m, name));
    }

    private static byte[] bytes(GoMap m, String name) {
      String v = field(m, name, true);
      try {
        return Base64.getUrlDecoder().decode(v.replace("=", ""));
      } catch (IllegalArgumentException e) {
        throw new Failure("failed to parse key: field " + name + " is not base64url");
      }
    }

    private static String kty(GoMap m) {
      String kty = field(m, "kty", false);
      if (kty == null) {
        throw new Failure("invalid key type from JSON ()");
      }
      return kty;
    }

    private static String curveName(String crv) {
      return switch (crv) {
        case "P-256" -> "secp256r1";
        case "P-384" -> "secp384r1";
        case "P-521" -> "secp521r1";
        default -> throw new Failure("failed to parse key: unsupported curve");
      };
    }

    private static ECParameterSpec curveSpec(String crv) throws Exception {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec(curveName(crv)));
      return p.getParameterSpec(ECParameterSpec.class);
    }

    static String publicKeyPem(String json) {
      GoMap m = parse(json);
      try {
        PublicKey key;
        switch (kty(m)) {
          case "RSA" -> key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(num(m, "n"), num(m, "e")));
          case "EC" -> key = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
              new ECPoint(num(m, "x"), num(m, "y")), curveSpec(field(m, "crv", true))));
          case "OKP" -> {
            if (!"Ed25519".equals(field(m, "crv", true))) {
              throw new Failure("failed to parse key: unsupported curve");
            }
            byte[] x = bytes(m, "x");
            byte[] spki = new DERSequence(new ASN1Encodable[] {
                new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.3.101.112")), new DERBitString(x)})
                .getEncoded("DER");
            return encode("PUBLIC KEY", spki);
          }
          default -> throw new Failure("invalid key type from JSON");
        }
        return encode("PUBLIC KEY", key.getEncoded());
      } catch (Failure f) {
        throw f;
      } catch (Exception e) {
        throw new Failure("failed to parse key: invalid key parameters");
      }
    }

    static String privateKeyPem(String json) {
      GoMap m = parse(json);
      try {
        switch (kty(m)) {
          case "RSA" -> {
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(num(m, "n"),
                num(m, "e"), num(m, "d"), num(m, "p"), num(m, "q"), num(m, "dp"), num(m, "dq"), num(m, "qi")));
            return encode("PRIVATE KEY", key.getEncoded());
          }
          case "EC" -> {
            String crv = field(m, "crv", true);
            ASN1ObjectIdentifier oid = org.bouncycastle.asn1.x9.ECNamedCurveTable.getOID(curveName(crv));
            int size = curveBytes(oid);
            byte[] point = new byte[1 + 2 * size];
            point[0] = 4;
            copyPadded(num(m, "x"), point, 1, size);
            copyPadded(num(m, "y"), point, 1 + size, size);
            KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(num(m, "d"), curveSpec(crv)));
            return encode("PRIVATE KEY", ecPkcs8(oid, num(m, "d"), point));
          }
          case "OKP" -> {
            if (!"Ed25519".equals(field(m, "crv", true))) {
              throw new Failure("failed to parse key: unsupported curve");
            }
            byte[] d = bytes(m, "d");
            byte[] pkcs8 = new DERSequence(new ASN1Encodable[] {
                new ASN1Integer(0), new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.3.101.112")),
                new DEROctetString(new DEROctetString(d).getEncoded("DER"))}).getEncoded("DER");
            return encode("PRIVATE KEY", pkcs8);
          }
          default -> throw new Failure("invalid key type from JSON");
        }
      } catch (Failure f) {
        throw f;
      } catch (Exception e) {
        throw new Failure("failed to parse key: invalid key parameters");
      }
    }

    private static void copyPadded(BigInteger v, byte[] dst, int off, int size) {
      byte[] raw = v.toByteArray();
      int copy = Math.min(raw.length, size);
      System.arraycopy(raw, raw.length - copy, dst, off + size - copy, copy);
    }
  }
}
