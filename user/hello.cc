// The first user program. For now the kernel only checks that it is
// embedded; from lab 3 on it runs as the first environment.
int umain() {
    static volatile int answer = 42;
    return answer;
}
