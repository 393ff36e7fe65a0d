// libsystemc.so references sc_main; the readers under test never elaborate SystemC, so it is never called.
extern "C" int sc_main(int, char*[]) { return 0; }
