import {
  crossSiteRefusal,
  maySeeOwnedBy,
  presentedCredential,
  visibleOwner,
} from './credentials.ts';

const allowed = { origins: ['https://cron.example.com'], secureCookie: true };

describe('the credential a request presents (REST API and live-log socket alike)', () => {
  it('prefers a bearer token, then either session cookie name', () => {
    expect(
      presentedCredential({ authorization: 'Bearer crn_abc ', cookie: 'cronium_session=x' }),
    ).toEqual({
      token: 'crn_abc',
      from: 'bearer',
    });
    expect(
      presentedCredential({ cookie: 'a=1; __Host-cronium_session=crs_s; cronium_session=crs_p' }),
    ).toEqual({
      token: 'crs_s',
      from: 'cookie',
    });
    expect(presentedCredential({ cookie: ['cronium_session=crs_p'] })).toEqual({
      token: 'crs_p',
      from: 'cookie',
    });
    expect(presentedCredential({ authorization: 'Basic x' })).toEqual({
      token: undefined,
      from: 'none',
    });
  });

  it('refuses cookie-borne and signed-out requests from other pages, never bearer ones', () => {
    const cookie = presentedCredential({ cookie: 'cronium_session=crs_x' });
    const none = presentedCredential({});
    const bearer = presentedCredential({ authorization: 'Bearer crn_x' });
    const foreign = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    expect(crossSiteRefusal(cookie, foreign, allowed)).toMatch(/cross-site/);
    expect(crossSiteRefusal(none, { origin: 'https://evil.example' }, allowed)).toMatch(/evil/);
    expect(crossSiteRefusal(bearer, foreign, allowed)).toBeUndefined();
    expect(
      crossSiteRefusal(cookie, { origin: 'https://cron.example.com' }, allowed),
    ).toBeUndefined();
    // curl and scripts send neither header: nothing a page could have forged.
    expect(crossSiteRefusal(cookie, {}, allowed)).toBeUndefined();
  });
});

describe('who may see what a user owns', () => {
  it('is its owner and every admin', () => {
    expect(maySeeOwnedBy({ userId: 1, role: 'user' }, 1)).toBe(true);
    expect(maySeeOwnedBy({ userId: 2, role: 'user' }, 1)).toBe(false);
    expect(maySeeOwnedBy({ userId: 2, role: 'admin' }, 1)).toBe(true);
    expect(visibleOwner({ userId: 2, role: 'user' })).toBe(2);
    expect(visibleOwner({ userId: 2, role: 'admin' })).toBeUndefined();
  });
});
