import { isPrivateHost } from './url-policy';

describe('webhook URL policy', () => {
  it('flags loopback, private, link-local and localhost targets', () => {
    for (const u of [
      'http://127.0.0.1:8080/x',
      'http://localhost/x',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/',
      'http://[fd00::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
    ])
      expect([u, isPrivateHost(u)]).toEqual([u, true]);
  });

  it('lets public hosts through', () => {
    for (const u of ['https://crm.example.com/hooks', 'https://8.8.8.8/', 'http://172.32.0.1/', 'https://[2001:db8::1]/']) {
      expect([u, isPrivateHost(u)]).toEqual([u, false]);
    }
  });
});
